//! Spec loading, validation and rendering must never panic, whatever the bytes: an invalid
//! spec is an error, a valid one always renders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(lab) = chaoslab::load("fuzz.yaml", text) {
        // A validated lab must always render; an error here is a bug.
        if let Err(e) = chaoslab::generate(&lab) {
            panic!("valid spec failed to render: {e}");
        }
    }
});
