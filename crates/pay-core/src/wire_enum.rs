//! [`wire_enum!`](crate::wire_enum): provider codes and statuses as enums that never fail to
//! decode.

/// Declares an enum of wire values with their meanings and an `Unknown(String)` fallback, so a
/// value the provider adds later decodes instead of failing.
///
/// Generated: `as_str()` (the wire value), `description()` (the spec's meaning), `from_wire()`,
/// `is_known()`, `ensure_known(field)` (for a value about to be sent: `Unknown` is
/// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the field), `KNOWN` (every
/// declared variant), `Display`, `FromStr` (infallible), and serde that writes the wire string
/// and reads a string or an integer.
///
/// ```
/// pay_core::wire_enum! {
///     /// A payout status.
///     pub enum Status {
///         /// Paid.
///         Paid = "1" => "已打款",
///         /// Failed.
///         Failed = "2" => "打款失败",
///     }
/// }
///
/// assert_eq!(Status::from_wire("1"), Status::Paid);
/// assert_eq!(Status::Paid.description(), "已打款");
/// let s: Status = serde_json::from_str("2")?;
/// assert_eq!(s, Status::Failed);
/// let s: Status = serde_json::from_str("\"9\"")?;
/// assert_eq!(s, Status::Unknown("9".into()));
/// // Decoding keeps an unknown value; sending one is refused, naming the field.
/// assert!(Status::Paid.ensure_known("status").is_ok());
/// let e = s.ensure_known("status").unwrap_err();
/// assert_eq!(e.to_string(), "invalid input in `status`: must be one of 1, 2");
/// assert_eq!(serde_json::to_string(&Status::Paid)?, "\"1\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal => $desc:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know, kept verbatim.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every known value.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(s) => s.as_str(),
                }
            }

            /// What the value means, as the provider's documentation says.
            pub fn description(&self) -> &'static str {
                match self {
                    $( $name::$variant => $desc, )*
                    $name::Unknown(_) => "unknown",
                }
            }

            /// Reads a wire value; unknown values become `Unknown`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// Whether the value is one this version knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// Checks a value about to be sent: `Ok` for a known value, otherwise
            /// [`Error::InvalidInput`]($crate::Error::InvalidInput) on `field`, listing the
            /// known wire values.
            ///
            /// # Errors
            /// [`Error::InvalidInput`]($crate::Error::InvalidInput) for `Unknown`.
            pub fn ensure_known(
                &self,
                field: &'static str,
            ) -> ::std::result::Result<(), $crate::Error> {
                if self.is_known() {
                    return Ok(());
                }
                let known: &[&str] = &[$($wire),*];
                Err($crate::Error::invalid_input(
                    field,
                    ::std::format!("must be one of {}", known.join(", ")),
                ))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::decode::string_or_integer(deserializer)
                    .map(|s| $name::from_wire(&s))
            }
        }
    };
}
