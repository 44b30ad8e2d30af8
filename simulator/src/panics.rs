//! Turning a panic inside a run into a value, silently.
//!
//! A panicking node or observer must become a `panic` failure of its seed,
//! not a message on stderr from every one of ten thousand parallel runs. The
//! panic hook is process-wide, so this module installs, once, a hook that
//! stays quiet (and remembers the panic's location) while the panicking thread
//! is inside [`catch`], and defers to the previously installed hook otherwise:
//! panics outside runs print as before.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the last silenced panic on this thread happened.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install_quiet_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let inside = DEPTH.try_with(|d| d.get() > 0).unwrap_or(false);
            if !inside {
                previous(info);
                return;
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let _ = LOCATION.try_with(|slot| *slot.borrow_mut() = location);
        }));
    });
}

/// Runs `f`; a panic becomes `Err("<message> (at file:line:column)")` and
/// prints nothing. `f` is treated as unwind-safe: after a panic the caller
/// must only read plain counters from what `f` touched, never resume it.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| {
        assert!(d.get() > 0);
        d.set(d.get() - 1)
    });
    result.map_err(|payload| {
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic with a non-string payload".to_string()
        };
        match LOCATION.with(|slot| slot.borrow_mut().take()) {
            Some(location) => format!("{message} (at {location})"),
            None => message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(catch(|| 3), Ok(3));
        let err = catch(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(err.starts_with("boom 7 (at "), "{err}");
        assert!(err.contains("panics.rs"), "{err}");
    }
}
