//! Webster (Sainte-Laguë) seat allocation, the rounding rule of every divided replica
//! assignment in Karmada since v1.16.
//!
//! Each party (cluster) with `votes` (its weight) and `seats` (replicas it already holds) has
//! the priority `votes / (2·seats + 1)`; every new seat goes to the party with the highest
//! priority. Ties go to the party holding fewer seats, then by name in a direction derived from
//! the resource UID ([`TieBreak::for_uid`]).
//!
//! Priorities are compared as `f64` quotients, exactly as Karmada computes them, so that even
//! near-ties that a rational comparison would separate resolve the same way.
//!
//! The allocation is a heap over the parties; when many more seats than parties are handed
//! out, the seats every party is certain to receive are granted up front (see
//! [`allocate_webster_seats`]), so the cost is `O(n log n)` whatever the number of seats.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use crate::api::TargetCluster;

/// How ties between parties with the same priority and the same seats are broken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TieBreak {
    /// The lexicographically smaller name wins (Karmada's built-in rule; empty or even UID).
    #[default]
    NameAscending,
    /// The lexicographically larger name wins (odd UID).
    NameDescending,
}

impl TieBreak {
    /// The tie-break Karmada derives from `spec.resource.uid`: the parity of the 32-bit
    /// FNV-1a hash of the UID's bytes; odd prefers the larger name, even or an empty UID the
    /// smaller one.
    ///
    /// ```
    /// use fedplan::scheduler::webster::TieBreak;
    /// assert_eq!(TieBreak::for_uid(""), TieBreak::NameAscending);
    /// assert_eq!(
    ///     TieBreak::for_uid("d43fdeeb-d750-4e2b-bee3-64eb94534f4c"),
    ///     TieBreak::NameDescending
    /// );
    /// ```
    pub fn for_uid(uid: &str) -> Self {
        if uid.is_empty() || fnv1a_32(uid.as_bytes()) % 2 == 0 {
            TieBreak::NameAscending
        } else {
            TieBreak::NameDescending
        }
    }

    fn names(self, a: &str, b: &str) -> Ordering {
        // `Greater` means `a` wins the seat.
        match self {
            TieBreak::NameAscending => b.cmp(a),
            TieBreak::NameDescending => a.cmp(b),
        }
    }
}

/// The 32-bit FNV-1a hash.
///
/// ```
/// use fedplan::scheduler::webster::fnv1a_32;
/// assert_eq!(fnv1a_32(b""), 0x811c9dc5);
/// assert_eq!(fnv1a_32(b"d43fdeeb-d750-4e2b-bee3-64eb94534f4c"), 2505132451);
/// ```
pub fn fnv1a_32(data: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in data {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// One party of an allocation: a cluster, its weight and its replicas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Party {
    /// Party (cluster) name.
    pub name: String,
    /// Votes (weight).
    pub votes: i64,
    /// Seats (replicas) after the allocation.
    pub seats: i64,
}

/// Karmada's Webster priority of a party, computed as Go does (`float64` division).
fn priority(votes: i64, seats: i64) -> f64 {
    votes as f64 / (2 * seats + 1) as f64
}

/// A party in the heap; the greatest entry wins the next seat.
struct Candidate<'a> {
    priority: f64,
    seats: i64,
    name: &'a str,
    index: usize,
    tie: TieBreak,
}

impl Ord for Candidate<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .total_cmp(&other.priority)
            .then_with(|| other.seats.cmp(&self.seats))
            .then_with(|| self.tie.names(self.name, other.name))
            .then_with(|| other.index.cmp(&self.index))
    }
}
impl PartialOrd for Candidate<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate<'_> {}

/// Hands out `new_seats` seats over parties given as parallel slices, updating `seats` in
/// place. Names must be unique for the result to be independent of the input order.
pub(crate) fn allocate_in_place(
    new_seats: i64,
    names: &[&str],
    votes: &[i64],
    seats: &mut [i64],
    tie: TieBreak,
) {
    if names.is_empty() || new_seats <= 0 {
        return;
    }
    let remaining = new_seats - grant_certain_seats(new_seats, votes, seats);
    if remaining <= 0 {
        return;
    }
    let heap: BinaryHeap<Candidate<'_>> = names
        .iter()
        .enumerate()
        .map(|(index, name)| Candidate {
            priority: priority(votes[index], seats[index]),
            seats: seats[index],
            name,
            index,
            tie,
        })
        .collect();
    hand_out_one_by_one(heap, remaining, votes, seats);
}

/// A party in the heap of [`allocate_sorted_in_place`], whose names ascend with the index.
struct SortedCandidate {
    priority: f64,
    seats: i64,
    index: usize,
    tie: TieBreak,
}

impl Ord for SortedCandidate {
    fn cmp(&self, other: &Self) -> Ordering {
        // The order of `Candidate`, with positions standing in for the names.
        self.priority
            .total_cmp(&other.priority)
            .then_with(|| other.seats.cmp(&self.seats))
            .then_with(|| match self.tie {
                TieBreak::NameAscending => other.index.cmp(&self.index),
                TieBreak::NameDescending => self.index.cmp(&other.index),
            })
    }
}
impl PartialOrd for SortedCandidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for SortedCandidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SortedCandidate {}

/// [`allocate_in_place`] for parties whose names are strictly ascending (as after sorting
/// and merging by name): ties compare positions instead of strings, same outcome.
pub(crate) fn allocate_sorted_in_place(
    new_seats: i64,
    names: &[&str],
    votes: &[i64],
    seats: &mut [i64],
    tie: TieBreak,
) {
    debug_assert!(names.windows(2).all(|w| w[0] < w[1]));
    if names.is_empty() || new_seats <= 0 {
        return;
    }
    let remaining = new_seats - grant_certain_seats(new_seats, votes, seats);
    if remaining <= 0 {
        return;
    }
    let parties = names.len().min(votes.len()).min(seats.len());
    let contender = |index: usize| SortedCandidate {
        priority: priority(votes[index], seats[index]),
        seats: seats[index],
        index,
        tie,
    };
    let contenders: Vec<SortedCandidate> = match usize::try_from(remaining) {
        // Only the `remaining` parties first in the seat order can get a seat: every party
        // ahead of another still holds its starting priority, and so gets a seat first,
        // until it has one. The others never top the heap. This needs a seat to lower a
        // party's place, which holds when no votes or seats are negative.
        Ok(k)
            if k < parties
                && votes[..parties].iter().all(|&v| v >= 0)
                && seats[..parties].iter().all(|&s| s >= 0) =>
        {
            // The order of `SortedCandidate` as integers, larger first: the priority's
            // total order, fewer seats, then the position as the tie break says.
            let mut keys: Vec<(u64, u64, u64)> = (0..parties)
                .map(|index| {
                    let bits = priority(votes[index], seats[index]).to_bits();
                    let priority_key = if bits >> 63 == 1 {
                        !bits
                    } else {
                        bits | (1 << 63)
                    };
                    let seats_key = !((seats[index] as u64) ^ (1 << 63));
                    let index_key = match tie {
                        TieBreak::NameAscending => !(index as u64),
                        TieBreak::NameDescending => index as u64,
                    };
                    (priority_key, seats_key, index_key)
                })
                .collect();
            let cut = parties - k;
            keys.select_nth_unstable(cut);
            keys[cut..]
                .iter()
                .map(|&(_, _, index_key)| {
                    contender(match tie {
                        TieBreak::NameAscending => !index_key as usize,
                        TieBreak::NameDescending => index_key as usize,
                    })
                })
                .collect()
        }
        _ => (0..parties).map(contender).collect(),
    };
    hand_out_one_by_one(BinaryHeap::from(contenders), remaining, votes, seats);
}

/// A party in a heap of the seat-by-seat phase.
trait Contender: Ord {
    /// The party's position, and its seats and priority to update when it takes a seat.
    fn seat_state(&mut self) -> (usize, &mut i64, &mut f64);
}

impl Contender for Candidate<'_> {
    fn seat_state(&mut self) -> (usize, &mut i64, &mut f64) {
        (self.index, &mut self.seats, &mut self.priority)
    }
}

impl Contender for SortedCandidate {
    fn seat_state(&mut self) -> (usize, &mut i64, &mut f64) {
        (self.index, &mut self.seats, &mut self.priority)
    }
}

/// Gives `remaining` seats one at a time to the greatest party of `heap`, recording them in
/// `seats`.
fn hand_out_one_by_one<C: Contender>(
    mut heap: BinaryHeap<C>,
    mut remaining: i64,
    votes: &[i64],
    seats: &mut [i64],
) {
    while remaining > 0 {
        let Some(mut top) = heap.pop() else {
            return;
        };
        let (index, held, party_priority) = top.seat_state();
        *held += 1;
        seats[index] = *held;
        *party_priority = priority(votes[index], *held);
        heap.push(top);
        remaining -= 1;
    }
}

/// The number of further seats a party holding `seats` receives before its priority drops to
/// `threshold` or below.
fn seats_above(votes: i64, seats: i64, threshold: f64, cap: i64) -> i64 {
    let rough = ((votes as f64 / threshold - 1.0) / 2.0).ceil();
    let mut total = if rough.is_finite() {
        (rough as i64).clamp(0, seats.saturating_add(cap))
    } else {
        seats
    };
    // The float estimate may be off by a few; settle it with the exact priority comparisons.
    while total > 0 && priority(votes, total - 1) <= threshold {
        total -= 1;
    }
    while total < seats.saturating_add(cap) && priority(votes, total) > threshold {
        total += 1;
    }
    (total - seats).max(0)
}

/// Grants every seat that is certain to be handed out: all seats whose priority lies above a
/// threshold chosen so that their number does not exceed `new_seats`. Such seats outrank every
/// other seat, so granting them first does not change the outcome. Returns the seats granted.
fn grant_certain_seats(new_seats: i64, votes: &[i64], seats: &mut [i64]) -> i64 {
    let parties = votes.len() as i64;
    if new_seats <= 2 * parties || votes.iter().any(|v| *v < 0) || seats.iter().any(|s| *s < 0) {
        return 0;
    }
    let total_votes: f64 = votes.iter().map(|v| *v as f64).sum();
    let total_seats: f64 = seats.iter().map(|s| *s as f64).sum::<f64>() + new_seats as f64;
    if total_votes <= 0.0 {
        return 0;
    }
    // Sum over parties of (v / 2t + 1/2) ≤ total seats when t = V / (2·T − n); widen the
    // threshold until the exact count fits.
    let mut threshold = total_votes / (2.0 * total_seats - parties as f64);
    for _ in 0..64 {
        if !(threshold.is_finite() && threshold > 0.0) {
            return 0;
        }
        let mut granted: i64 = 0;
        for (v, s) in votes.iter().zip(seats.iter()) {
            granted = granted.saturating_add(seats_above(*v, *s, threshold, new_seats));
            if granted > new_seats {
                break;
            }
        }
        if granted <= new_seats {
            for (v, s) in votes.iter().zip(seats.iter_mut()) {
                *s += seats_above(*v, *s, threshold, new_seats);
            }
            return granted;
        }
        threshold *= 1.5;
    }
    0
}

/// Karmada's `AllocateWebsterSeats`: hands out `new_seats` seats over the parties of
/// `party_votes` and `initial_seats` (a party present only in the initial seats has 0 votes),
/// starting from the initial seats. Returns every party, zero-seat ones included, sorted by
/// name, or `None` when there are no parties at all.
///
/// ```
/// use std::collections::BTreeMap;
/// use fedplan::scheduler::webster::{allocate_webster_seats, TieBreak};
/// let votes = BTreeMap::from([("A".to_string(), 2), ("B".to_string(), 1),
///     ("C".to_string(), 1), ("D".to_string(), 1)]);
/// let parties = allocate_webster_seats(9, &votes, &BTreeMap::new(), TieBreak::NameAscending)
///     .unwrap();
/// let seats: Vec<i64> = parties.iter().map(|p| p.seats).collect();
/// assert_eq!(seats, [3, 2, 2, 2]);
/// ```
pub fn allocate_webster_seats(
    new_seats: i64,
    party_votes: &BTreeMap<String, i64>,
    initial_seats: &BTreeMap<String, i64>,
    tie: TieBreak,
) -> Option<Vec<Party>> {
    let mut merged: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (name, seats) in initial_seats {
        merged.insert(name, (0, *seats));
    }
    for (name, votes) in party_votes {
        merged.entry(name).or_insert((0, 0)).0 = *votes;
    }
    if merged.is_empty() {
        return None;
    }
    let names: Vec<&str> = merged.keys().copied().collect();
    let votes: Vec<i64> = merged.values().map(|(v, _)| *v).collect();
    let mut seats: Vec<i64> = merged.values().map(|(_, s)| *s).collect();
    allocate_in_place(new_seats, &names, &votes, &mut seats, tie);
    Some(
        names
            .iter()
            .zip(votes.iter().zip(seats.iter()))
            .map(|(name, (votes, seats))| Party {
                name: (*name).to_string(),
                votes: *votes,
                seats: *seats,
            })
            .collect(),
    )
}

/// Karmada's `Dispenser.TakeByWeight`: divides `num_replicas` over `weights`, starting from
/// the prescribed result `init` (its replicas are the initial seats).
///
/// * `num_replicas == 0` with a non-empty `init` returns `init` unchanged;
/// * a weight sum of 0 returns `init` unchanged;
/// * otherwise every party (zero-replica ones included) comes back sorted by name.
///
/// A name repeated in `weights` keeps its last weight.
pub fn dispense(
    num_replicas: i32,
    init: &[TargetCluster],
    weights: &[(&str, i64)],
    tie: TieBreak,
) -> Vec<TargetCluster> {
    if num_replicas == 0 && !init.is_empty() {
        return init.to_vec();
    }
    let weight_sum: i64 = weights.iter().map(|(_, w)| *w).fold(0, i64::saturating_add);
    if weight_sum == 0 {
        return init.to_vec();
    }
    let votes: BTreeMap<String, i64> = weights
        .iter()
        .map(|(name, w)| ((*name).to_string(), *w))
        .collect();
    let initial: BTreeMap<String, i64> = init
        .iter()
        .map(|tc| (tc.name.clone(), i64::from(tc.replicas)))
        .collect();
    allocate_webster_seats(i64::from(num_replicas), &votes, &initial, tie)
        .unwrap_or_default()
        .into_iter()
        .map(|party| TargetCluster {
            name: party.name,
            replicas: clamp_i32(party.seats),
            components: Vec::new(),
        })
        .collect()
}

/// Karmada's `SpreadReplicasByTargetClusters`: divides `num_replicas` using each target
/// cluster's replicas as its weight, starting from `init`.
pub fn spread_replicas_by_target_clusters(
    num_replicas: i32,
    weights: &[TargetCluster],
    init: &[TargetCluster],
    tie: TieBreak,
) -> Vec<TargetCluster> {
    let weights: Vec<(&str, i64)> = weights
        .iter()
        .map(|tc| (tc.name.as_str(), i64::from(tc.replicas)))
        .collect();
    dispense(num_replicas, init, &weights, tie)
}

pub(crate) fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain seat-by-seat process, for comparison with the accelerated one.
    /// Seats handed out by `allocate` and by [`naive`] from the same start.
    fn with_naive(
        allocate: fn(i64, &[&str], &[i64], &mut [i64], TieBreak),
        votes: &[i64],
        init: &[i64],
        new_seats: i64,
        descending: bool,
    ) -> (Vec<i64>, Vec<i64>) {
        let tie = if descending {
            TieBreak::NameDescending
        } else {
            TieBreak::NameAscending
        };
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let names = &names[..votes.len()];
        let mut fast = init[..votes.len()].to_vec();
        let mut slow = fast.clone();
        allocate(new_seats, names, votes, &mut fast, tie);
        naive(new_seats, votes, &mut slow, names, tie);
        (fast, slow)
    }

    fn naive(new_seats: i64, votes: &[i64], seats: &mut [i64], names: &[&str], tie: TieBreak) {
        for _ in 0..new_seats {
            let mut best = 0;
            for i in 1..votes.len() {
                let a = Candidate {
                    priority: priority(votes[i], seats[i]),
                    seats: seats[i],
                    name: names[i],
                    index: i,
                    tie,
                };
                let b = Candidate {
                    priority: priority(votes[best], seats[best]),
                    seats: seats[best],
                    name: names[best],
                    index: best,
                    tie,
                };
                if a > b {
                    best = i;
                }
            }
            seats[best] += 1;
        }
    }

    /// (new seats, votes, initial seats, tie-break, expected seats).
    type Case<'a> = (i64, &'a [i64], &'a [i64], TieBreak, &'a [i64]);

    #[test]
    fn table() {
        let cases: &[Case<'_>] = &[
            (
                9,
                &[2, 1, 1, 1],
                &[0, 0, 0, 0],
                TieBreak::NameAscending,
                &[3, 2, 2, 2],
            ),
            (2, &[2, 1], &[0, 0], TieBreak::NameAscending, &[1, 1]),
            (5, &[1, 1], &[0, 0], TieBreak::NameDescending, &[2, 3]),
            (5, &[1, 1], &[0, 0], TieBreak::NameAscending, &[3, 2]),
            (1, &[3, 1], &[1, 0], TieBreak::NameAscending, &[1, 1]),
            (0, &[3, 1], &[1, 0], TieBreak::NameAscending, &[1, 0]),
            (3, &[0, 0], &[0, 0], TieBreak::NameAscending, &[2, 1]),
        ];
        for (new, votes, init, tie, want) in cases {
            let names = ["A", "B", "C", "D"];
            let mut seats = init.to_vec();
            allocate_in_place(*new, &names[..votes.len()], votes, &mut seats, *tie);
            assert_eq!(&seats, want, "{new} over {votes:?} from {init:?} {tie:?}");
        }
    }

    #[test]
    fn odd_and_even_uids() {
        assert_eq!(
            TieBreak::for_uid("d43fdeeb-d750-4e2b-bee3-64eb94534f4c"),
            TieBreak::NameDescending
        );
        assert_eq!(fnv1a_32(b"a"), 0xe40c292c);
    }

    proptest::proptest! {
        #[test]
        fn accelerated_equals_naive(
            votes in proptest::collection::vec(0i64..1000, 1..8),
            init in proptest::collection::vec(0i64..20, 8),
            new_seats in 0i64..400,
            descending in proptest::bool::ANY,
        ) {
            let (fast, slow) = with_naive(allocate_in_place, &votes, &init, new_seats, descending);
            proptest::prop_assert_eq!(fast, slow);
        }

        /// The sorted variant, also with fewer new seats than parties (only the parties
        /// first in seat order contend).
        #[test]
        fn sorted_equals_naive(
            votes in proptest::collection::vec(-2i64..50, 1..8),
            init in proptest::collection::vec(-1i64..4, 8),
            new_seats in 0i64..12,
            descending in proptest::bool::ANY,
        ) {
            let (fast, slow) =
                with_naive(allocate_sorted_in_place, &votes, &init, new_seats, descending);
            proptest::prop_assert_eq!(fast, slow);
        }
    }
}
