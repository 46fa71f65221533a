namespace ModelPrune.Settings;

/// <summary>What a setting's value looks like; the docs tables show it, the engine's parser checks it.</summary>
internal enum SettingType
{
    /// <summary>A number with a dot, e.g. 0.5.</summary>
    Number,

    /// <summary>A whole number, e.g. 128.</summary>
    WholeNumber,

    /// <summary>One word out of a fixed list.</summary>
    Choice,

    /// <summary><c>;</c>-separated values.</summary>
    List,

    /// <summary>A path relative to the project folder (or the current folder on the command line).</summary>
    File,

    /// <summary><c>;</c>-separated paths or globs: inputs of the incremental build.</summary>
    Files,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
}
