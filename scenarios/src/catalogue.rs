//! The built-in catalogue: scenario files shipped inside the binary, so that
//! `cargo install` users have them. Each reproduces a test people know (the
//! MIT 6.824 Raft and KV lab tests, Maelstrom's lin-kv test) or demonstrates
//! what the harness finds. The files live in `scenarios/catalogue/`.

/// `(name, TOML text)` of every catalogue file, in listing order. The name is
/// the file stem and the scenario's `name`.
pub const CATALOGUE: &[(&str, &str)] = &[
    (
        "InitialElection2A",
        include_str!("../catalogue/InitialElection2A.toml"),
    ),
    (
        "ReElection2A",
        include_str!("../catalogue/ReElection2A.toml"),
    ),
    (
        "ManyElections2A",
        include_str!("../catalogue/ManyElections2A.toml"),
    ),
    (
        "BasicAgree2B",
        include_str!("../catalogue/BasicAgree2B.toml"),
    ),
    ("RPCBytes2B", include_str!("../catalogue/RPCBytes2B.toml")),
    ("FailAgree2B", include_str!("../catalogue/FailAgree2B.toml")),
    (
        "FailNoAgree2B",
        include_str!("../catalogue/FailNoAgree2B.toml"),
    ),
    (
        "ConcurrentStarts2B",
        include_str!("../catalogue/ConcurrentStarts2B.toml"),
    ),
    ("Rejoin2B", include_str!("../catalogue/Rejoin2B.toml")),
    ("Backup2B", include_str!("../catalogue/Backup2B.toml")),
    ("Count2B", include_str!("../catalogue/Count2B.toml")),
    ("Persist12C", include_str!("../catalogue/Persist12C.toml")),
    ("Persist22C", include_str!("../catalogue/Persist22C.toml")),
    ("Persist32C", include_str!("../catalogue/Persist32C.toml")),
    ("Figure82C", include_str!("../catalogue/Figure82C.toml")),
    (
        "UnreliableAgree2C",
        include_str!("../catalogue/UnreliableAgree2C.toml"),
    ),
    (
        "Figure8Unreliable2C",
        include_str!("../catalogue/Figure8Unreliable2C.toml"),
    ),
    (
        "ReliableChurn2C",
        include_str!("../catalogue/ReliableChurn2C.toml"),
    ),
    (
        "UnreliableChurn2C",
        include_str!("../catalogue/UnreliableChurn2C.toml"),
    ),
    (
        "SnapshotBasic2D",
        include_str!("../catalogue/SnapshotBasic2D.toml"),
    ),
    (
        "SnapshotInstall2D",
        include_str!("../catalogue/SnapshotInstall2D.toml"),
    ),
    (
        "SnapshotInstallUnreliable2D",
        include_str!("../catalogue/SnapshotInstallUnreliable2D.toml"),
    ),
    (
        "SnapshotInstallCrash2D",
        include_str!("../catalogue/SnapshotInstallCrash2D.toml"),
    ),
    (
        "SnapshotInstallUnCrash2D",
        include_str!("../catalogue/SnapshotInstallUnCrash2D.toml"),
    ),
    (
        "SnapshotAllCrash2D",
        include_str!("../catalogue/SnapshotAllCrash2D.toml"),
    ),
    ("Basic3A", include_str!("../catalogue/Basic3A.toml")),
    ("Speed3A", include_str!("../catalogue/Speed3A.toml")),
    (
        "Concurrent3A",
        include_str!("../catalogue/Concurrent3A.toml"),
    ),
    (
        "Unreliable3A",
        include_str!("../catalogue/Unreliable3A.toml"),
    ),
    (
        "UnreliableOneKey3A",
        include_str!("../catalogue/UnreliableOneKey3A.toml"),
    ),
    (
        "OnePartition3A",
        include_str!("../catalogue/OnePartition3A.toml"),
    ),
    (
        "ManyPartitionsOneClient3A",
        include_str!("../catalogue/ManyPartitionsOneClient3A.toml"),
    ),
    (
        "ManyPartitionsManyClients3A",
        include_str!("../catalogue/ManyPartitionsManyClients3A.toml"),
    ),
    (
        "PersistOneClient3A",
        include_str!("../catalogue/PersistOneClient3A.toml"),
    ),
    (
        "PersistConcurrent3A",
        include_str!("../catalogue/PersistConcurrent3A.toml"),
    ),
    (
        "PersistConcurrentUnreliable3A",
        include_str!("../catalogue/PersistConcurrentUnreliable3A.toml"),
    ),
    (
        "PersistPartition3A",
        include_str!("../catalogue/PersistPartition3A.toml"),
    ),
    (
        "PersistPartitionUnreliable3A",
        include_str!("../catalogue/PersistPartitionUnreliable3A.toml"),
    ),
    (
        "PersistPartitionUnreliableLinearizable3A",
        include_str!("../catalogue/PersistPartitionUnreliableLinearizable3A.toml"),
    ),
    (
        "SnapshotRPC3B",
        include_str!("../catalogue/SnapshotRPC3B.toml"),
    ),
    (
        "SnapshotSize3B",
        include_str!("../catalogue/SnapshotSize3B.toml"),
    ),
    ("Speed3B", include_str!("../catalogue/Speed3B.toml")),
    (
        "SnapshotRecover3B",
        include_str!("../catalogue/SnapshotRecover3B.toml"),
    ),
    (
        "SnapshotRecoverManyClients3B",
        include_str!("../catalogue/SnapshotRecoverManyClients3B.toml"),
    ),
    (
        "SnapshotUnreliable3B",
        include_str!("../catalogue/SnapshotUnreliable3B.toml"),
    ),
    (
        "SnapshotUnreliableRecover3B",
        include_str!("../catalogue/SnapshotUnreliableRecover3B.toml"),
    ),
    (
        "SnapshotUnreliableRecoverConcurrentPartition3B",
        include_str!("../catalogue/SnapshotUnreliableRecoverConcurrentPartition3B.toml"),
    ),
    (
        "SnapshotUnreliableRecoverConcurrentPartitionLinearizable3B",
        include_str!(
            "../catalogue/SnapshotUnreliableRecoverConcurrentPartitionLinearizable3B.toml"
        ),
    ),
    (
        "maelstrom-lin-kv-3",
        include_str!("../catalogue/maelstrom-lin-kv-3.toml"),
    ),
    (
        "maelstrom-lin-kv-5",
        include_str!("../catalogue/maelstrom-lin-kv-5.toml"),
    ),
    (
        "heavy-load-elections",
        include_str!("../catalogue/heavy-load-elections.toml"),
    ),
    (
        "follower-read",
        include_str!("../catalogue/follower-read.toml"),
    ),
    (
        "crash-after-vote",
        include_str!("../catalogue/crash-after-vote.toml"),
    ),
    (
        "commit-index-lag",
        include_str!("../catalogue/commit-index-lag.toml"),
    ),
    (
        "no-election-jitter",
        include_str!("../catalogue/no-election-jitter.toml"),
    ),
    (
        "leader-isolation",
        include_str!("../catalogue/leader-isolation.toml"),
    ),
    (
        "lease-reads-drift",
        include_str!("../catalogue/lease-reads-drift.toml"),
    ),
    (
        "transfer-churn",
        include_str!("../catalogue/transfer-churn.toml"),
    ),
    (
        "membership-churn",
        include_str!("../catalogue/membership-churn.toml"),
    ),
    (
        "config-change-no-joint",
        include_str!("../catalogue/config-change-no-joint.toml"),
    ),
    (
        "snapshot-chunks",
        include_str!("../catalogue/snapshot-chunks.toml"),
    ),
    (
        "snapshot-regress",
        include_str!("../catalogue/snapshot-regress.toml"),
    ),
    (
        "sessions-not-in-snapshot",
        include_str!("../catalogue/sessions-not-in-snapshot.toml"),
    ),
];

/// The TOML text of the catalogue scenario `name`, if there is one.
pub fn catalogue_text(name: &str) -> Option<&'static str> {
    CATALOGUE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}
