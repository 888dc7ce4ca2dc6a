//! Karmada's generated names: bindings, Works, execution spaces, binding reference keys, and
//! deterministic permanent ids.

/// Karmada's `rand.SafeEncodeString` alphabet (no vowels, no look-alike characters).
const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

use crate::scheduler::webster::fnv1a_32;

const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    fnv1a_64_extend(FNV64_OFFSET, bytes)
}

/// 64-bit FNV-1a of `bytes` appended to the input that hashed to `h`.
fn fnv1a_64_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The hash Karmada computes over a string with `hashutil.DeepHashObject`: FNV-1a over the
/// object printed with spew's `%#v`, which for a string is `(string)` followed by the text.
fn deep_hash_string(s: &str) -> u32 {
    let printed = format!("(string){s}");
    fnv1a_32(printed.as_bytes())
}

fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| SAFE_ALPHABET[b as usize % SAFE_ALPHABET.len()] as char)
        .collect()
}

/// The name of the binding of a template (see [`crate::policy::binding_name`]).
pub use crate::policy::binding_name;

/// The namespace of a cluster's execution space: `karmada-es-<cluster>`.
pub fn execution_space(cluster: &str) -> String {
    format!("{}{cluster}", crate::api::EXECUTION_SPACE_PREFIX)
}

/// The cluster an execution-space namespace belongs to.
pub fn cluster_of_execution_space(namespace: &str) -> Option<&str> {
    namespace.strip_prefix(crate::api::EXECUTION_SPACE_PREFIX)
}

/// The name of the Work carrying a template: `<name>-<hash of namespace, name and kind>`.
pub fn work_name(kind: &str, name: &str, namespace: &str) -> String {
    let key = if namespace.is_empty() {
        format!("{name}-{kind}").to_lowercase()
    } else {
        format!("{namespace}-{name}-{kind}").to_lowercase()
    };
    let hash = deep_hash_string(&key);
    format!("{name}-{}", safe_encode(&hash.to_string()))
}

/// The key Karmada uses in the `depended-by` label of an attached binding.
pub fn binding_reference_key(namespace: &str, name: &str) -> String {
    let key = if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    };
    safe_encode(&deep_hash_string(&key).to_string())
}

/// A permanent id in UUID form, derived from `seed` so that the same object always gets the
/// same id (Karmada's webhooks draw random ones; fedplan's output must be reproducible).
pub fn permanent_id(seed: &str) -> String {
    permanent_id_of(&[seed])
}

/// [`permanent_id`] of the concatenation of `parts`, without building it.
pub fn permanent_id_of(parts: &[&str]) -> String {
    let a = parts
        .iter()
        .fold(FNV64_OFFSET, |h, p| fnv1a_64_extend(h, p.as_bytes()));
    let b = fnv1a_64_extend(a, "\u{0}fedplan".as_bytes());
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 32];
    for (i, slot) in hex.iter_mut().enumerate() {
        let word = if i < 16 { a } else { b };
        let shift = 60 - 4 * (i % 16);
        *slot = DIGITS[((word >> shift) & 0xf) as usize];
    }
    // Shape as a version-4/variant-1 UUID so tools that parse ids accept it.
    let variant = [b'8', b'9', b'a', b'b'][(b & 3) as usize];
    let mut out = String::with_capacity(36);
    let mut push = |bytes: &[u8]| bytes.iter().for_each(|c| out.push(char::from(*c)));
    push(&hex[0..8]);
    push(b"-");
    push(&hex[8..12]);
    push(b"-4");
    push(&hex[13..16]);
    push(&[b'-', variant]);
    push(&hex[17..20]);
    push(b"-");
    push(&hex[20..32]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_values() {
        assert_eq!(fnv1a_64(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn names_follow_karmada() {
        assert_eq!(execution_space("member1"), "karmada-es-member1");
        assert_eq!(cluster_of_execution_space("karmada-es-a"), Some("a"));
        let w = work_name("Deployment", "nginx", "default");
        assert!(w.starts_with("nginx-"));
        assert!(w["nginx-".len()..]
            .bytes()
            .all(|b| SAFE_ALPHABET.contains(&b)));
        assert_ne!(w, work_name("Deployment", "nginx", "other"));
        assert_eq!(w, work_name("Deployment", "nginx", "default"));
    }

    #[test]
    fn permanent_ids_of_parts_equal_ids_of_the_joined_seed() {
        for parts in [
            &["work/", "karmada-es-a", "/", "nginx-1"][..],
            &[""][..],
            &["binding/default/x"][..],
        ] {
            assert_eq!(permanent_id_of(parts), permanent_id(&parts.concat()));
        }
        // The shape written before the parts form existed.
        let seed = "default/nginx-deployment";
        let a = fnv1a_64(seed.as_bytes());
        let b = fnv1a_64(format!("{seed}\u{0}fedplan").as_bytes());
        let hex = format!("{a:016x}{b:016x}");
        let want = format!(
            "{}-{}-4{}-{}{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            ["8", "9", "a", "b"][(b & 3) as usize],
            &hex[17..20],
            &hex[20..32]
        );
        assert_eq!(permanent_id(seed), want);
    }

    #[test]
    fn permanent_ids_are_stable_and_uuid_shaped() {
        let id = permanent_id("default/nginx-deployment");
        assert_eq!(id, permanent_id("default/nginx-deployment"));
        assert_ne!(id, permanent_id("default/other"));
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
