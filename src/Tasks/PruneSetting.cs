using System.Collections.Generic;

namespace ModelPrune.Tasks
{
    /// <summary>
    /// One <c>PruneModel</c> metadata the engine interprets, and its key in the request file. Values pass
    /// through unparsed: the engine validates them, so MSBuild and the command line report the same errors.
    /// </summary>
    internal sealed class PruneSetting
    {
        private PruneSetting(string metadataName, string requestKey)
        {
            MetadataName = metadataName;
            RequestKey = requestKey;
        }

        /// <summary>
        /// IncludeLayers/ExcludeLayers rather than Include/Exclude: on an item element, the attributes
        /// Include and Exclude are MSBuild's own, so metadata of those names could not be written inline.
        /// The list must match the stamp lines in ModelPrune.Build.targets.
        /// </summary>
        public static IReadOnlyList<PruneSetting> All { get; } = new[]
        {
            new PruneSetting("Sparsity", "Sparsity"),
            new PruneSetting("Method", "Method"),
            new PruneSetting("Pattern", "Pattern"),
            new PruneSetting("MaxLayerSparsity", "MaxLayerSparsity"),
            new PruneSetting("IncludeLayers", "Include"),
            new PruneSetting("ExcludeLayers", "Exclude"),
            new PruneSetting("Seed", "Seed"),
            new PruneSetting("Dimensions", "Dimensions"),
            new PruneSetting("CalibrationData", "CalibrationData"),
            new PruneSetting("CalibrationSamples", "CalibrationSamples"),
            new PruneSetting("Allocation", "Allocation"),
            new PruneSetting("MinLayerSparsity", "MinLayerSparsity"),
            new PruneSetting("CalibrationMode", "CalibrationMode"),
            new PruneSetting("Device", "Device"),
            new PruneSetting("EvaluationData", "EvaluationData"),
            new PruneSetting("EvaluationSamples", "EvaluationSamples"),
            new PruneSetting("Task", "Task"),
            new PruneSetting("SweepSparsities", "SweepSparsities"),
            new PruneSetting("Structure", "Structure"),
            new PruneSetting("MinUnitsPerLayer", "MinUnitsPerLayer"),
            new PruneSetting("UnitMultiple", "UnitMultiple"),
        };

        public string MetadataName { get; }

        public string RequestKey { get; }
    }
}
