# raftsim's recipes. `just` is optional (`cargo install just`): every recipe
# is a plain cargo command that you can also type yourself.

# List the recipes.
default:
    @just --list

# What CI checks first: formatting, clippy with warnings as errors, every test.
verify:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo test --workspace --release

# Replay one seed with its trace on stdout, e.g. `just sim 17 --bug figure8-commit`.
sim seed="0" *args="":
    cargo run --release -- replay --seed {{seed}} --trace - {{args}}

# Run many seeds, e.g. `just sweep 10000` or `just sweep 1000 --bug figure8-commit`.
sweep n="10000" *args="":
    cargo run --release -- run --seeds {{n}} {{args}}

# Every catalogue scenario over 1,000 seeds (or N): each must show the verdict it declares.
catalogue n="1000" *args="":
    cargo run --release -- run --all --seeds {{n}} {{args}}

# The benchmarks of every crate (the simulator's: 10,000 seeds of the default run).
bench:
    cargo bench --workspace

# Every planted bug hunted in its scenario: seeds to the first failure, kind, wall time.
hunt *args="--all-bugs":
    cargo run --release -- hunt {{args}}

# Shrink a failing seed, e.g. `just shrink 4 --bug truncate-on-append --out min.toml`.
shrink seed *args:
    cargo run --release -- shrink --seed {{seed}} {{args}}
