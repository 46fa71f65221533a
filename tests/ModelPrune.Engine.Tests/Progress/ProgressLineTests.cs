using ModelPrune.Engine.Progress;
using ModelPrune.Progress;

namespace ModelPrune.Engine.Tests.Progress;

/// <summary>The structured line the engine writes and the task reads back, and the words people see.</summary>
public sealed class ProgressLineTests
{
    [Fact]
    public void A_structured_line_reads_back_as_written_even_with_spaces_in_the_model_name()
    {
        var line = new ProgressLine("Models/my model.onnx", "prune", "layer", 12, 36, TimeSpan.FromSeconds(8.14), TimeSpan.FromSeconds(16.25));

        var text = line.Format();
        var parsed = ProgressLine.Parse(text)!;

        Assert.Equal("modelprune-progress: stage=prune layer=12/36 elapsed=8.1s remaining=16.3s model=Models/my model.onnx", text);
        Assert.Equal(("Models/my model.onnx", "prune", "layer", 12, 36), (parsed.Model, parsed.Stage, parsed.Unit, parsed.Done, parsed.Total));
        Assert.Equal(TimeSpan.FromSeconds(8.1), parsed.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(16.3), parsed.Remaining);
    }

    [Fact]
    public void An_unknown_remaining_time_is_a_question_mark()
    {
        var text = new ProgressLine("m.onnx", "search", "probe", 0, 24, TimeSpan.FromSeconds(3), null).Format();

        Assert.Equal("modelprune-progress: stage=search probe=0/24 elapsed=3.0s remaining=? model=m.onnx", text);
        Assert.Null(ProgressLine.Parse(text)!.Remaining);
    }

    [Theory]
    [InlineData("m.onnx: error MP1001: The model file was not found.")]
    [InlineData("ModelPrune: m.onnx -> 50.0% sparse (magnitude, unstructured)")]
    [InlineData("modelprune-progress: stage=prune layer=twelve/36 elapsed=8.1s remaining=16.2s model=m.onnx")]
    [InlineData("modelprune-progress: stage=prune layer=12/36 elapsed=8.1s remaining=16.2s")]
    public void Other_lines_and_malformed_progress_lines_are_not_progress(string text)
    {
        Assert.Null(ProgressLine.Parse(text));
    }

    [Theory]
    [InlineData(12, 36, 8.1, 16.2, "prune layer 12/36, 8.1 s elapsed, about 16 s left")]
    [InlineData(36, 36, 24.4, 0.0, "prune layer 36/36, done in 24 s")]
    [InlineData(0, 36, 2.0, null, "prune layer 0/36, 2.0 s elapsed")]
    [InlineData(3, 36, 95, 1045.0, "prune layer 3/36, 1 min 35 s elapsed, about 17 min 25 s left")]
    public void People_read_the_position_the_time_spent_and_the_time_left(int done, int total, double elapsed, double? remaining, string expected)
    {
        var line = new ProgressLine("m.onnx", "prune", "layer", done, total, TimeSpan.FromSeconds(elapsed), remaining is { } r ? TimeSpan.FromSeconds(r) : null);

        Assert.Equal(expected, line.Describe());
    }

    [Theory]
    [InlineData(0.04, "0.0 s")]
    [InlineData(9.94, "9.9 s")]
    [InlineData(9.96, "10 s")]
    [InlineData(59.6, "1 min")]
    [InlineData(125, "2 min 5 s")]
    [InlineData(3600, "1 h")]
    [InlineData(3 * 3600 + 7 * 60 + 40, "3 h 8 min")]
    public void Durations_are_short_and_round(double seconds, string expected)
    {
        Assert.Equal(expected, ProgressLine.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void The_bar_fills_with_the_fraction_done_and_never_wraps_the_terminal()
    {
        var line = new ProgressLine("m.onnx", "prune", "layer", 9, 36, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9));

        Assert.Equal("[#####...............]  25% prune layer 9/36, 3.0 s elapsed, about 9.0 s left (m.onnx)", ProgressBar.Render(line, 200));
        Assert.Equal(39, ProgressBar.Render(line, 40).Length);
    }

    [Fact]
    public void The_bar_redraws_one_line_in_place_and_clears_it_before_the_results()
    {
        var writer = new StringWriter();
        var bar = new ProgressBar(writer, () => 200);

        bar.Write(new ProgressLine("m.onnx", "statistics", "batch", 1, 4, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
        bar.Write(new ProgressLine("m.onnx", "prune", "layer", 3, 3, TimeSpan.FromSeconds(2), TimeSpan.Zero));
        bar.Close();

        var text = writer.ToString();
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
        var frames = text.Split('\r');
        Assert.Equal(5, frames.Length);
        Assert.StartsWith("[#####...............]  25% statistics batch 1/4, ", frames[1], StringComparison.Ordinal);
        // The shorter second frame is padded over the first, and closing blanks the line and returns to its start.
        Assert.Equal(frames[1].Length, frames[2].Length);
        Assert.EndsWith("(m.onnx)", frames[2].TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(new string(' ', frames[2].TrimEnd().Length), frames[3]);
        Assert.Equal(string.Empty, frames[4]);
    }
}
