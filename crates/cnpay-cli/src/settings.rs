//! Credentials and endpoints: `CNPAY_<PROVIDER>_<SETTING>` environment variables, or one table
//! per provider in the TOML file given by `--config`. The environment wins over the file.
//!
//! Secret values are wrapped in [`SecretKey`] as soon as they are read and are never printed:
//! errors name the setting, never its value.

use std::path::Path;
use std::time::Duration;

use pay_core::SecretKey;

use crate::error::CliError;

/// The settings of one provider.
pub(crate) struct Settings {
    provider: &'static str,
    known: &'static [&'static str],
    table: Option<toml::Table>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Loads `provider`'s table from `config` (if given). `known` lists its settings in lower
    /// case (`mch_id`, `key`, …); an unknown key in the table is an error, so a misspelt
    /// setting is not silently ignored.
    pub(crate) fn load(
        provider: &'static str,
        known: &'static [&'static str],
        config: Option<&Path>,
    ) -> Result<Self, CliError> {
        let table = match config {
            None => None,
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|e| {
                    CliError::usage(format!("cannot read config file `{}`: {e}", path.display()))
                })?;
                let bytes = crate::input::read_limited(
                    file,
                    &format!("config file `{}`", path.display()),
                    "--config",
                )?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    CliError::usage(format!(
                        "config file `{}` is not UTF-8 text",
                        path.display()
                    ))
                })?;
                let mut doc: toml::Table = toml::from_str(&text).map_err(|e| {
                    // The error's Display quotes the offending line, which may hold a secret:
                    // report the line number and the message only.
                    let line = e
                        .span()
                        .map(|s| text.get(..s.start).unwrap_or("").matches('\n').count() + 1);
                    CliError::usage(format!(
                        "config file `{}` is not valid TOML{}: {}",
                        path.display(),
                        line.map(|l| format!(" (line {l})")).unwrap_or_default(),
                        e.message()
                    ))
                })?;
                match doc.remove(provider) {
                    None => None,
                    Some(toml::Value::Table(t)) => {
                        if let Some(bad) = t.keys().find(|k| !known.contains(&k.as_str())) {
                            return Err(CliError::usage(format!(
                                "unknown setting `{bad}` in [{provider}] of `{}`; known: {}",
                                path.display(),
                                known.join(", ")
                            )));
                        }
                        Some(t)
                    }
                    Some(_) => {
                        return Err(CliError::usage(format!(
                            "`{provider}` in `{}` must be a table",
                            path.display()
                        )));
                    }
                }
            }
        };
        Ok(Settings {
            provider,
            known,
            table,
        })
    }

    /// The environment variable of `setting` (lower case, e.g. `mch_id`).
    pub(crate) fn env_name(&self, setting: &str) -> String {
        format!(
            "CNPAY_{}_{}",
            self.provider.to_ascii_uppercase().replace('-', "_"),
            setting.to_ascii_uppercase()
        )
    }

    fn describe(&self, setting: &str) -> String {
        format!(
            "`{}` (or `{setting}` in [{}] of the --config file)",
            self.env_name(setting),
            self.provider
        )
    }

    /// The value of `setting`, if set (an empty value counts as unset).
    pub(crate) fn get(&self, setting: &str) -> Result<Option<String>, CliError> {
        debug_assert!(self.known.contains(&setting), "{setting}");
        match std::env::var(self.env_name(setting)) {
            Ok(v) if !v.is_empty() => return Ok(Some(v)),
            Ok(_) | Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(CliError::usage(format!(
                    "{} is not valid UTF-8",
                    self.env_name(setting)
                )));
            }
        }
        match self.table.as_ref().and_then(|t| t.get(setting)) {
            None => Ok(None),
            Some(toml::Value::String(s)) if s.is_empty() => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(toml::Value::Integer(i)) => Ok(Some(i.to_string())),
            Some(_) => Err(CliError::usage(format!(
                "{} must be a string",
                self.describe(setting)
            ))),
        }
    }

    /// The value of a required `setting`.
    pub(crate) fn require(&self, setting: &str) -> Result<String, CliError> {
        self.get(setting)?
            .ok_or_else(|| CliError::usage(format!("missing setting {}", self.describe(setting))))
    }

    /// A required secret.
    pub(crate) fn secret(&self, setting: &str) -> Result<SecretKey, CliError> {
        self.require(setting).map(SecretKey::new)
    }

    /// An optional secret.
    pub(crate) fn secret_opt(&self, setting: &str) -> Result<Option<SecretKey>, CliError> {
        Ok(self.get(setting)?.map(SecretKey::new))
    }

    /// The optional `timeout` setting, in whole seconds, from 1 to [`MAX_TIMEOUT_SECS`].
    pub(crate) fn timeout(&self) -> Result<Option<Duration>, CliError> {
        match self.get("timeout")? {
            None => Ok(None),
            Some(t) => match t.parse::<u64>() {
                Ok(s) if (1..=MAX_TIMEOUT_SECS).contains(&s) => Ok(Some(Duration::from_secs(s))),
                _ => Err(CliError::usage(format!(
                    "{} must be a whole number of seconds from 1 to {MAX_TIMEOUT_SECS}",
                    self.describe("timeout")
                ))),
            },
        }
    }

    /// The provider's client configuration, read by the library: with no table for the
    /// provider in the --config file, its `Config::from_env()` (`from_env`); otherwise that
    /// table with every set environment variable in place of its key, read as the library
    /// reads a config file (its `Deserialize`). `cli_only` are settings the command reads
    /// itself, which the library's configuration does not hold. Errors name the setting by
    /// its environment variable and config key, never its value.
    pub(crate) fn library_config<C: serde::de::DeserializeOwned>(
        &self,
        from_env: fn() -> Result<C, pay_core::Error>,
        cli_only: &[&str],
    ) -> Result<C, CliError> {
        if self.table.is_none() {
            return from_env().map_err(|e| self.env_error(e));
        }
        let mut merged = toml::Table::new();
        for &setting in self.known.iter().filter(|k| !cli_only.contains(k)) {
            if setting == "timeout" {
                if let Some(t) = self.timeout()? {
                    // At most MAX_TIMEOUT_SECS, which an i64 holds.
                    let secs = i64::try_from(t.as_secs()).map_err(|_| {
                        CliError::usage(format!("{} is out of range", self.describe("timeout")))
                    })?;
                    merged.insert(setting.to_owned(), toml::Value::Integer(secs));
                }
            } else if let Some(v) = self.get(setting)? {
                merged.insert(setting.to_owned(), toml::Value::String(v));
            }
        }
        toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| {
                let message = e.message();
                match message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split_once('`'))
                {
                    Some((setting, _)) => {
                        CliError::usage(format!("missing setting {}", self.describe(setting)))
                    }
                    // The library's own errors name the setting; serde's name the key and type,
                    // never the value.
                    None => CliError::usage(format!("[{}] settings: {message}", self.provider)),
                }
            })
    }

    /// An error of the library's `Config::from_env`, which names the environment variable:
    /// reported as every other settings error (the variable and the config key).
    fn env_error(&self, e: pay_core::Error) -> CliError {
        if let pay_core::Error::InvalidInput { field, reason } = &e {
            let prefix = self.env_name("");
            if let Some(setting) = field.strip_prefix(prefix.as_str()) {
                let setting = setting.to_ascii_lowercase();
                return CliError::usage(match &**reason {
                    "is not set" => format!("missing setting {}", self.describe(&setting)),
                    "is not valid UTF-8" => format!("{field} is not valid UTF-8"),
                    _ => format!("{} {reason}", self.describe(&setting)),
                });
            }
        }
        self.client_error(e)
    }

    /// A client that could not be built from the settings: a setting it refuses (the library
    /// names its config field, as the setting is named) is reported by the setting's
    /// environment variable and config key, never its value.
    pub(crate) fn client_error(&self, e: pay_core::Error) -> CliError {
        match &e {
            pay_core::Error::InvalidInput { field, reason } if self.known.contains(&&**field) => {
                CliError::usage(format!("{} {reason}", self.describe(field)))
            }
            _ => e.into(),
        }
    }
}

/// The longest `timeout` setting, in seconds: a call that has not answered in five minutes
/// will not, and an unbounded wait (`18446744073709551615`) hangs the command for ever.
pub(crate) const MAX_TIMEOUT_SECS: u64 = 300;
