//! The typeface built into the program: Liberation Sans (SIL Open Font
//! License; see `assets/fonts/`), metric-compatible with Arial, so every
//! document and chart looks the same on every machine and nothing is read
//! from the system's fonts.

/// Regular, bold, italic and bold italic.
pub const BUILT_IN: [&[u8]; 4] = [
    include_bytes!("../assets/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../assets/fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../assets/fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../assets/fonts/LiberationSans-BoldItalic.ttf"),
];
