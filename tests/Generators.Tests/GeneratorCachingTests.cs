using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Channels.Generators.Tests;

/// <summary>The incremental pipeline: unrelated edits reuse every step; real changes change the output.</summary>
public sealed class GeneratorCachingTests
{
    private static readonly string[] Steps = [StepNames.Handlers, StepNames.Classes, StepNames.Assembly, StepNames.Table];

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compile(Sources.Chat);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; internal static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in Steps)
        {
            Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step {step} did not run");
            Assert.All(
                runs.SelectMany(run => run.Outputs),
                output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {step} was {output.Reason} after an unrelated edit"));
        }
    }

    [Fact]
    public void Changing_a_pattern_changes_the_table()
    {
        var before = GeneratorHarness.RunClean(Sources.Chat).Files["ChannelHandlerTable.g.cs"];

        var after = GeneratorHarness.RunClean(Sources.Chat.Replace("[OnMessage(\"^raw$\")]", "[OnMessage(\"^raw-\\\\d+$\")]", StringComparison.Ordinal)).Files["ChannelHandlerTable.g.cs"];

        Assert.NotEqual(before, after);
        Assert.Contains("^raw-\\d+$", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_a_signature_changes_the_class_output()
    {
        var before = GeneratorHarness.RunClean(Sources.Chat).Files["Demo.ChatHandlers.Channels.g.cs"];

        var after = GeneratorHarness.RunClean(Sources.Chat.Replace("private void Plain(string text)", "private void Plain(string text, CancellationToken token)", StringComparison.Ordinal)).Files["Demo.ChatHandlers.Channels.g.cs"];

        Assert.NotEqual(before, after);
        Assert.Contains("handler.Plain(global::Channels.Dispatch.GeneratedHandlerSupport.String(e.Payload, 0) ?? throw new global::Channels.ChannelProtocolException(\"argument 0 is null\"), e.CancellationToken)", after, StringComparison.Ordinal);
    }
}
