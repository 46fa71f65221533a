namespace ModelPrune.Engine.Structured.Rules;

/// <summary>
/// The op type → rule table of <see cref="UnitGroupClosure"/>. Supporting a new op is one rule file and one line in
/// <see cref="Default"/>; an op type claimed twice is a programming error and throws when the table is built, so the
/// order of this list never decides what an op does.
/// </summary>
internal sealed class UnitRuleRegistry
{
    private readonly Dictionary<string, UnitPropagationRule> _byOpType = new(StringComparer.Ordinal);

    public UnitRuleRegistry(IEnumerable<UnitPropagationRule> rules)
    {
        Rules = rules.ToArray();
        foreach (var rule in Rules)
        {
            foreach (var opType in rule.OpTypes)
            {
                if (!_byOpType.TryAdd(opType, rule))
                {
                    throw new ArgumentException($"{opType} is claimed by both {_byOpType[opType].GetType().Name} and {rule.GetType().Name}.", nameof(rules));
                }
            }
        }
    }

    public static UnitRuleRegistry Default { get; } = new(new UnitPropagationRule[]
    {
        new MatMulRule(),
        new GemmRule(),
        new ConvRule(),
        new ConvTransposeRule(),
        new ElementwiseRule(),
        new PerChannelNormalizationRule(),
        new LayerNormalizationRule(),
        new SoftmaxRule(),
        new PoolRule(),
        new ReduceRule(),
        new TransposeRule(),
        new ReshapeRule(),
        new ExpandRule(),
        new ConcatRule(),
        new SplitRule(),
        new ResizeRule(),
        new ShapeRule(),
    });

    public IReadOnlyList<UnitPropagationRule> Rules { get; }

    public IReadOnlyCollection<string> OpTypes => _byOpType.Keys;

    /// <summary>The rule for <paramref name="opType"/>, or null for an op the analysis does not know.</summary>
    public UnitPropagationRule? Find(string opType) => _byOpType.GetValueOrDefault(opType);
}
