using System.Collections.Immutable;
using Channels.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Channels.Analyzers.Tests;

/// <summary>
/// Generator and analyzer together, as a build runs them: whatever handlers a project holds, the generated
/// code compiles, so no compiler error hides the CHN errors (the compiler skips analyzers once it has errors).
/// </summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public async Task Parameters_the_generator_cannot_bind_are_CHN_errors_beside_ordinary_ones_and_generated_code_compiles()
    {
        var source = Verifier.Usings + """
            public partial class Shapes
            {
                [OnMessage] public void SpanOfBytes(Span<byte> data) { }
                [OnMessage] public void SpanOfChars(ReadOnlySpan<char> text) { }
                [OnMessage] public unsafe void Pointer(int* value) { }
                [OnMessage] public unsafe void FunctionPointer(delegate*<void> callback) { }
                [OnMessage] public void Generic<T>(T value) { }
                [OnMessage] public void Callback(Action callback) { }
                [OnMessage] public void Callbacks(List<Action> tools) { }
                [OnMessage] private void Hidden(Secret secret) { }
                [OnEvent("span")] public Span<byte> ReturnsSpan() => default;
                [OnMessage] public void Fine(string text) { }

                private sealed record Secret(int Value);
            }

            public partial class Open<T>
            {
                [OnMessage] public void Value(T value) { }
            }

            public partial class Ordinary
            {
                [OnMessage] public int WrongReturn(string text) => 0;
                [OnConnect] public void NoChannel(string channel) { }
                [OnMessage] public void MaybeNoChannel(string channel) { }
                [OnMessage] public void Twice(ChannelSocket a, ChannelSocket b) { }
            }

            public class NotPartial
            {
                [OnMessage] public void Message(string text) { }
            }

            public interface IChat
            {
                void Said(string text);
            }

            public partial class Implements : IChat
            {
                [OnMessage] void IChat.Said(string text) { }
            }

            public partial interface IStaticHandlers
            {
                [OnMessage] static abstract void Abstract(string text);
                [OnMessage] static virtual void Virtual(string text) { }
                [OnMessage] static void Static(string text) { }
            }

            public ref partial struct RefStruct
            {
                [OnMessage] public void Message(string text) { }
            }

            public partial class Members
            {
                public int Count { [OnMessage] get => 0; }
                public void Method()
                {
                    [OnMessage] void Local(string text) { }
                    Local("x");
                }
            }
            """;
        var compilation = CSharpCompilation.Create(
            "Shapes",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview), path: "Handlers.cs")],
            Verifier.References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        CSharpGeneratorDriver.Create([new ChannelsGenerator().AsSourceGenerator()], parseOptions: (CSharpParseOptions)compilation.SyntaxTrees[0].Options).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var compilerErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Concat(generatorDiagnostics).ToList();
        var reported = (await output.WithAnalyzers([new HandlerAnalyzer()]).GetAnalyzerDiagnosticsAsync())
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => $"{d.Id} {d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(compilerErrors.Count == 0, "Errors outside the analyzer:\n" + string.Join("\n", compilerErrors));
        Assert.Equal(
            [
                "CHN0001 NotPartial",
                "CHN0003 Span<byte>",
                "CHN0003 int",
                "CHN0005 Action callback",
                "CHN0005 List<Action> tools",
                "CHN0005 ReadOnlySpan<char> text",
                "CHN0005 Span<byte> data",
                "CHN0005 T value",
                "CHN0005 T value",
                "CHN0006 ChannelSocket b",
                "CHN0008 delegate*<void> callback",
                "CHN0008 int* value",
                "CHN0009 <T>",
                "CHN0010 Open",
                "CHN0017 string channel",
                "CHN0019 string channel",
                "CHN0020 Secret secret",
                "CHN0021 OnMessage",
                "CHN0021 OnMessage",
                "CHN0022 IChat.",
                "CHN0023 Abstract",
                "CHN0023 Message",
                "CHN0023 Static",
                "CHN0023 Virtual",
            ],
            reported);
        var generated = output.SyntaxTrees.Skip(1).Select(t => t.GetText().ToString()).ToList();
        Assert.Contains(generated, text => text.Contains("__Channels_Fine", StringComparison.Ordinal));
        Assert.DoesNotContain(generated, text => text.Contains("Span", StringComparison.Ordinal) || text.Contains("Secret", StringComparison.Ordinal));
    }
}
