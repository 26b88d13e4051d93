using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Channels.Generators.Tests;

/// <summary>
/// The incremental pipeline: edits that change no handler (another file, a handler's body, lines above the
/// handlers) reuse every step and every output; real changes change the output.
/// </summary>
public sealed class GeneratorCachingTests
{
    private static readonly string[] Steps = [StepNames.Handlers, StepNames.Classes, StepNames.Assembly, StepNames.Table];

    private const string OtherFile = "namespace Demo; internal static class Other { public static int Answer => 42; }";

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = Start();

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; internal static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions));

        AssertCachedOrUnchanged(driver.RunGenerators(edited), "an added file");
    }

    [Fact]
    public void Editing_another_file_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = Start();
        var other = compilation.SyntaxTrees.Single(t => t.FilePath == "Other.cs");

        var edited = compilation.ReplaceSyntaxTree(other, other.WithChangedText(SourceText.From(OtherFile.Replace("42", "43", StringComparison.Ordinal))));

        AssertCachedOrUnchanged(driver.RunGenerators(edited), "an edit in another file");
    }

    [Fact]
    public void Editing_a_handler_body_and_the_lines_above_handlers_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = Start();
        var handlers = compilation.SyntaxTrees.Single(t => t.FilePath == "Handlers.cs");
        var text = Sources.Chat
            .Replace("namespace Demo;", "namespace Demo;\n\n// Lines added above every handler move every offset in the file.\n", StringComparison.Ordinal)
            .Replace("journal.Entries.Add($\"plain:{text}\")", "journal.Entries.Add($\"plain message: {text}\")", StringComparison.Ordinal);
        Assert.NotEqual(Sources.Chat, text);

        var edited = compilation.ReplaceSyntaxTree(handlers, handlers.WithChangedText(SourceText.From(text)));

        AssertCachedOrUnchanged(driver.RunGenerators(edited), "an edit of a handler's body and above the handlers");
    }

    /// <summary>The Chat handlers in Handlers.cs beside an unrelated Other.cs, after a first run.</summary>
    private static (GeneratorDriver Driver, Compilation Compilation) Start()
    {
        var compilation = GeneratorHarness.Compile(Sources.Chat)
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(OtherFile, GeneratorHarness.ParseOptions, path: "Other.cs"));
        return (GeneratorHarness.CreateDriver().RunGenerators(compilation), compilation);
    }

    private static void AssertCachedOrUnchanged(GeneratorDriver driver, string edit)
    {
        var result = driver.GetRunResult().Results.Single();
        foreach (var step in Steps)
        {
            Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step {step} did not run");
            Assert.All(
                runs.SelectMany(run => run.Outputs),
                output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {step} was {output.Reason} after {edit}"));
        }

        Assert.NotEmpty(result.TrackedOutputSteps);
        Assert.All(
            result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"a source output was {output.Reason} after {edit}"));
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
        Assert.Contains("handler.Plain(global::Channels.Dispatch.GeneratedHandlerSupport.String(e.Payload, 0) ?? throw global::Channels.Dispatch.GeneratedHandlerSupport.NullArgument(0), e.CancellationToken)", after, StringComparison.Ordinal);
    }
}
