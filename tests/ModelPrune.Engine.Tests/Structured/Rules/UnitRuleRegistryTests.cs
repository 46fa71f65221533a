using ModelPrune.Engine.Common;
using ModelPrune.Engine.Structured;
using ModelPrune.Engine.Structured.Rules;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Structured.Rules;

public sealed class UnitRuleRegistryTests
{
    [Fact]
    public void Every_op_type_the_closure_knows_belongs_to_exactly_one_rule()
    {
        var registry = UnitRuleRegistry.Default;
        var claims = registry.Rules.SelectMany(r => r.OpTypes.Select(op => (Op: op, Rule: r))).ToArray();

        Assert.Equal(claims.Length, claims.Select(c => c.Op).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(claims.Length, registry.OpTypes.Count);
        Assert.All(claims, c => Assert.Same(c.Rule, registry.Find(c.Op)));
        Assert.IsType<ElementwiseRule>(registry.Find("Relu"));
        Assert.IsType<ReshapeRule>(registry.Find("Unsqueeze"));
        Assert.IsType<ResizeRule>(registry.Find("Upsample"));
        Assert.IsType<ReduceRule>(registry.Find("ReduceMean"));
        Assert.IsType<PoolRule>(registry.Find("GlobalAveragePool"));
    }

    [Fact]
    public void An_op_type_claimed_by_two_rules_is_refused_when_the_registry_is_built()
    {
        var error = Assert.Throws<ArgumentException>(() => new UnitRuleRegistry(new UnitPropagationRule[] { new ConvRule(), new ConvRule() }));
        Assert.Contains("Conv is claimed by both ConvRule and ConvRule", error.Message);
    }

    [Fact]
    public void An_op_no_rule_knows_fails_the_group_with_the_reason()
    {
        // Shapes from the real model; then the Relu between the two layers becomes an op nobody has a rule for.
        var model = StructuredFixtures.Mlp();
        var shapes = ShapeProbe.Run(model, null, 42, new Dictionary<string, long>(), ExecutionDevice.Cpu, "fixture.onnx");
        model.Graph.Node.Single(n => n.Name == "relu1").OpType = "Unheard";
        Assert.Null(UnitRuleRegistry.Default.Find("Unheard"));

        var group = Assert.Single(UnitGroupFinder.Find(model, shapes), g => g.Producers.Any(p => p.Name == "fc1"));

        Assert.Equal("node 'relu1' (Unheard) is not known to keep the units apart", group.Failure);
    }
}
