//! Accounts: the generated passwords admins hand over (on creation and reset, shown once on
//! the users page) and the username and display-name rules, shared with the command line.
//! The admin's changes themselves are server functions (`app::actions`).

pub use app::forms::{check_display_name, check_username};

/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A random generated password: four groups of five characters (about 99 bits), from the
/// operating system's generator, without modulo bias.
pub fn one_time_password() -> String {
    let mut out = String::with_capacity(23);
    let mut taken = 0;
    while taken < 20 {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            // 248 = 8 × 31: bytes above it would favour the first letters.
            if taken == 20 || byte >= 248 {
                continue;
            }
            if taken > 0 && taken % 5 == 0 {
                out.push('-');
            }
            out.push(ALPHABET[usize::from(byte) % ALPHABET.len()] as char);
            taken += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::password;

    #[test]
    fn one_time_passwords_are_long_grouped_and_different() {
        let a = one_time_password();
        let b = one_time_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(groups.iter().all(|g| g.len() == 5));
        assert!(a.bytes().all(|c| c == b'-' || ALPHABET.contains(&c)));
        assert!(a.replace('-', "").len() >= password::MIN_PASSWORD_LEN);
    }
}
