//! One random stream per component, all derived from the run's seed.
//!
//! Every component (options drawing, network, nemesis, each disk, each node
//! incarnation, the clients' messages and choices, each client's workload) owns its own ChaCha8 stream: the same key (expanded from
//! the seed) with a distinct stream number. A component's draws therefore
//! depend only on the seed and on its own history, never on how many numbers
//! another component drew: adding a client, or a node drawing one more
//! number, leaves the network's draws untouched.
//!
//! Stream numbers are fixed here, once, and must never be renumbered: a
//! renumbering changes every seed's run. Layout of the 64-bit stream number:
//! small constants for singleton components, bit 61 set for clients (see
//! [`client_stream`]), bit 62 set for per-disk streams, bit 63 set for node
//! incarnations (`node << 32 | incarnation`).

use crate::node::NodeId;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The per-seed options ([`crate::RunOptions::draw`]).
pub const STREAM_OPTIONS: u64 = 1;
/// Retired: network loss, duplication and latency were one stream for all
/// links; each link has its own now ([`link_stream`]). Stream 2 stays unused.
pub const STREAM_NETWORK: u64 = 2;
/// The random nemesis: which fault, when, on whom.
pub const STREAM_NEMESIS: u64 = 3;
// Stream 4 was the retired command driver's; it stays unused.
/// The clients' streams: `STREAM_CLIENTS | client` is client `client`'s
/// workload stream; `STREAM_CLIENTS | 1 << 32` carries client messages' loss
/// and latency, `STREAM_CLIENTS | 1 << 32 | 1` the clients' own choices
/// (start times, target nodes, open-loop assignment).
pub const STREAM_CLIENTS: u64 = 1 << 61;
const CLIENT_CHOICES: u64 = 1 << 32 | 1;
/// `STREAM_CLIENTS | CLIENT_LINKS | client`: that client's messages (its
/// requests and the responses to it). `1 << 32` was the retired stream of
/// every client's messages together.
const CLIENT_LINKS: u64 = 2 << 32;
/// `STREAM_CLIENTS | CLIENT_TARGETS | client`: the nodes that client picks.
const CLIENT_TARGETS: u64 = 3 << 32;
/// `STREAM_LINKS | from << 32 | to`: loss, latency and duplication of the
/// messages from node `from` to node `to`. Bit 59 alone: the script's
/// streams all have bit 60 set.
const STREAM_LINKS: u64 = 1 << 59;
const STREAM_DISKS: u64 = 1 << 62;
const STREAM_NODES: u64 = 1 << 63;

/// The stream `stream` of `seed`.
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    assert_eq!(rng.get_stream(), stream);
    rng
}

/// Scripted steps' streams: bit 60 set, the low 60 bits from the step's key
/// (see `script.rs`), so that each step run draws on its own.
const STREAM_SCRIPT: u64 = 1 << 60;

/// The stream of the scripted step run identified by `key`.
pub fn script_stream(seed: u64, key: u64) -> ChaCha8Rng {
    stream(seed, STREAM_SCRIPT | (key & (STREAM_SCRIPT - 1)))
}

/// The stream of node `node`'s disk (sync latencies).
pub fn disk_stream(seed: u64, node: NodeId) -> ChaCha8Rng {
    assert!(node < (1 << 32), "node id {node} out of range");
    stream(seed, STREAM_DISKS | node as u64)
}

/// The stream handed to incarnation `incarnation` of node `node` in
/// [`crate::Boot::rng`]: restarting one node never shifts another's draws, and
/// each incarnation starts from a fresh stream.
pub fn node_stream(seed: u64, node: NodeId, incarnation: u32) -> ChaCha8Rng {
    assert!(node < (1 << 31), "node id {node} out of range");
    stream(
        seed,
        STREAM_NODES | (node as u64) << 32 | u64::from(incarnation),
    )
}

/// The stream handed to the workload for client `client`'s operations
/// ([`crate::Workload::invoke`]): one per client, so that one client's draws
/// never shift another's.
pub fn client_stream(seed: u64, client: usize) -> ChaCha8Rng {
    assert!(client < (1 << 32), "client id {client} out of range");
    stream(seed, STREAM_CLIENTS | client as u64)
}

/// The stream of the messages from node `from` to node `to`: one per link,
/// so that a message more or less on one link (a fault removed by the
/// shrinker, a partition healed earlier) leaves every other link's draws as
/// they were.
pub fn link_stream(seed: u64, from: NodeId, to: NodeId) -> ChaCha8Rng {
    assert!(
        from < (1 << 16) && to < (1 << 16),
        "link {from}->{to} out of range"
    );
    stream(seed, STREAM_LINKS | (from as u64) << 32 | to as u64)
}

/// The stream of client `client`'s messages' loss and latency, both ways
/// (apart from the nodes' links and from other clients, so that a client
/// more or less leaves everyone else's draws unchanged).
pub fn client_link_stream(seed: u64, client: usize) -> ChaCha8Rng {
    assert!(client < (1 << 32), "client id {client} out of range");
    stream(seed, STREAM_CLIENTS | CLIENT_LINKS | client as u64)
}

/// The stream of the nodes client `client` picks to send to.
pub fn client_targets_stream(seed: u64, client: usize) -> ChaCha8Rng {
    assert!(client < (1 << 32), "client id {client} out of range");
    stream(seed, STREAM_CLIENTS | CLIENT_TARGETS | client as u64)
}

/// The stream of the clients' shared choices: the start times of
/// closed-loop clients.
pub fn client_choices_stream(seed: u64) -> ChaCha8Rng {
    stream(seed, STREAM_CLIENTS | CLIENT_CHOICES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_are_distinct_and_reproducible() {
        let a = stream(7, STREAM_NETWORK).next_u64();
        let b = stream(7, STREAM_NEMESIS).next_u64();
        let c = node_stream(7, 1, 0).next_u64();
        let d = node_stream(7, 1, 1).next_u64();
        let e = disk_stream(7, 1).next_u64();
        let f = client_stream(7, 0).next_u64();
        let g = client_stream(7, 1).next_u64();
        let h = client_link_stream(7, 0).next_u64();
        let i = client_choices_stream(7).next_u64();
        let j = link_stream(7, 0, 1).next_u64();
        let k = link_stream(7, 1, 0).next_u64();
        let l = client_targets_stream(7, 0).next_u64();
        let m = script_stream(7, 0).next_u64();
        let all = [a, b, c, d, e, f, g, h, i, j, k, l, m];
        for (i, x) in all.iter().enumerate() {
            for y in &all[i + 1..] {
                assert_ne!(x, y);
            }
        }
        assert_eq!(a, stream(7, STREAM_NETWORK).next_u64());
        assert_ne!(a, stream(8, STREAM_NETWORK).next_u64());
    }
}
