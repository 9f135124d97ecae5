use crate::error::{Error, ParamProblem};

pub const PASSWORD_MIN_LEN: usize = 8;
const PASSWORD_MAX_LEN: usize = 256;

/// The policy every new password meets: at least 8 characters with a lower-case letter,
/// an upper-case letter, a digit and one other character.
pub fn check_password_policy(password: &str, item: &str) -> Result<(), Error> {
    let len = password.chars().count();
    if len > PASSWORD_MAX_LEN {
        return Err(Error::invalid(
            item,
            ParamProblem::Length,
            format!("longer than {PASSWORD_MAX_LEN} characters"),
        ));
    }
    let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c));
    let ok = len >= PASSWORD_MIN_LEN
        && has(|c| c.is_lowercase())
        && has(|c| c.is_uppercase())
        && has(|c| c.is_ascii_digit())
        && has(|c| !c.is_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            item,
            ParamProblem::Value,
            format!(
                "the password must have at least {PASSWORD_MIN_LEN} characters, with a lower-case letter, an upper-case letter, a digit and another character"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_password_policy("Aa1!aaaa", "p").is_ok());
        for weak in [
            "Aa1!aaa", "aa1!aaaa", "AA1!AAAA", "Aa!!aaaa", "Aa11aaaa", "",
        ] {
            assert!(check_password_policy(weak, "p").is_err(), "{weak} passed");
        }
    }
}
