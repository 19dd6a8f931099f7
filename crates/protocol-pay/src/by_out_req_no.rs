//! The requests that name one order by its `outReqNo` and carry nothing else (`posclose`,
//! `inquery`, `outquery`): one shape, declared once by [`by_out_req_no!`]; each request's
//! [`Operation`](pay_core::Operation) is written beside it in its area module.

use pay_core::operation::FieldDoc;
use pay_core::{Error, Extensions, Operation};

/// The one field of a request by `outReqNo`.
pub(crate) const FIELDS: &[FieldDoc] = &[FieldDoc::required(
    "outReqNo",
    "string, at most 64, letters, digits, _ and -, starts with the app id",
    "业务系统请求流水号 (the merchant's request number of the order)",
)];

/// Checks a request by `outReqNo` of operation `O` (the app-id prefix is checked by the client,
/// which knows the app id).
pub(crate) fn validate<O: Operation>(out_req_no: &str, extra: &Extensions) -> Result<(), Error> {
    crate::validate::out_req_no_format(out_req_no)?;
    crate::validate::extra_disjoint::<O>(extra)
}

/// Declares a request type that names one order by its `outReqNo`, with `new` and its
/// [`Endpoint`](crate::client::Endpoint) (the `outReqNo` the client checks against the app id).
macro_rules! by_out_req_no {
    ($(#[$doc:meta])* $name:ident, $order:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            #[doc = concat!("`outReqNo`: the ", $order, "'s request number.")]
            pub out_req_no: String,
            /// Fields the provider may add, by wire name.
            #[serde(flatten)]
            pub extra: pay_core::Extensions,
        }

        impl $name {
            #[doc = concat!("The request for ", $order, " `out_req_no`.")]
            pub fn new(out_req_no: impl Into<String>) -> Self {
                $name {
                    out_req_no: out_req_no.into(),
                    extra: pay_core::Extensions::new(),
                }
            }
        }

        impl crate::client::Endpoint for $name {
            fn out_req_no(&self) -> Option<&str> {
                Some(&self.out_req_no)
            }
        }
    };
}

pub(crate) use by_out_req_no;
