using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Statistics;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Statistics;

public sealed class LayerRoundsTests
{
    [Fact]
    public void A_chain_of_layers_gets_one_round_per_layer()
    {
        Assert.Equal(
            new[] { new[] { "conv1.weight" }, new[] { "conv2.weight" }, new[] { "fc.weight" } },
            Plan(FixtureModels.SmallCnn()));
    }

    [Fact]
    public void Layers_reading_the_same_activation_share_a_round()
    {
        Assert.Equal(new[] { new[] { "Wq", "Wk" }, new[] { "W2" } }, Plan(StatisticsTestModels.SharedInputOpset18()));
    }

    [Fact]
    public void Only_selected_layers_order_the_rounds_and_unlocatable_ones_come_first()
    {
        var model = FixtureModels.GemmMlp();
        var weights = PrunableWeightFinder.Find(model);

        var withoutMiddle = LayerRounds.Plan(model, weights.Where(w => w.Name != "W2").ToArray());
        Assert.Equal(new[] { new[] { "W1" }, new[] { "W3" } }, withoutMiddle.Select(r => r.Select(w => w.Name).ToArray()));

        var lstm = FixtureModels.LstmModel();
        Assert.Single(LayerRounds.Plan(lstm, PrunableWeightFinder.Find(lstm)));
    }

    [Fact]
    public void A_weight_read_on_the_way_to_its_own_round_is_named_and_ordinary_models_have_none()
    {
        var shared = StatisticsTestModels.WeightReadBeforeItsRound();
        var rounds = LayerRounds.Plan(shared, PrunableWeightFinder.Find(shared));
        Assert.Equal(new[] { new[] { "W1" }, new[] { "W2" }, new[] { "W3" } }, rounds.Select(r => r.Select(w => w.Name).ToArray()));
        Assert.Equal(new[] { "W2" }, LayerRounds.ReadBeforeTheirRound(shared, rounds));

        foreach (var model in new[] { FixtureModels.SmallCnn(), FixtureModels.GemmMlp(), StatisticsTestModels.SharedInputOpset18(), LlamaFixtures.Build(LlamaConfig.Small) })
        {
            Assert.Empty(LayerRounds.ReadBeforeTheirRound(model, LayerRounds.Plan(model, PrunableWeightFinder.Find(model))));
        }
    }

    private static string[][] Plan(global::Onnx.ModelProto model) =>
        LayerRounds.Plan(model, PrunableWeightFinder.Find(model)).Select(r => r.Select(w => w.Name).ToArray()).ToArray();
}
