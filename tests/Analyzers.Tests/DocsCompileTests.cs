using System.Collections.Immutable;
using Channels.Generators;
using Channels.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Channels.Analyzers.Tests;

/// <summary>
/// Every <c>```csharp</c> block of the docs a user copies from compiles as written: each block is one file of a
/// <c>Microsoft.NET.Sdk.Web</c> project with its implicit usings (what <c>dotnet new web</c> gives), built as the
/// package builds it (compiler, Channels.SDK's generator and analyzer), with no error and no warning. A block with
/// top-level statements is a <c>Program.cs</c>; any other block is a file of a library. Nothing else is added: a
/// block needs its own <c>using Channels;</c>. There is no fragment fence: a C# block is complete, or it is not
/// C# (a fence of <c>cs</c> or <c>c#</c> fails, so that no block escapes the check unnoticed).
/// </summary>
public sealed class DocsCompileTests
{
    /// <summary>The docs a package user reads: the package's README, the repository's, and the handlers guide.</summary>
    private static readonly string[] Documents = ["README.md", "docs/package-readme.md", "docs/handlers.md"];

    /// <summary>The Web SDK's implicit usings (Microsoft.NET.Sdk and Microsoft.NET.Sdk.Web), as its generated GlobalUsings.g.cs.</summary>
    private const string WebSdkGlobalUsings = """
        global using global::Microsoft.AspNetCore.Builder;
        global using global::Microsoft.AspNetCore.Hosting;
        global using global::Microsoft.AspNetCore.Http;
        global using global::Microsoft.AspNetCore.Routing;
        global using global::Microsoft.Extensions.Configuration;
        global using global::Microsoft.Extensions.DependencyInjection;
        global using global::Microsoft.Extensions.Hosting;
        global using global::Microsoft.Extensions.Logging;
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Net.Http.Json;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in Documents)
        {
            foreach (var block in Read(document))
            {
                data.Add(document, block.Line);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task The_csharp_block_compiles_as_written(string document, int line)
    {
        var block = Read(document).Single(b => b.Line == line);
        Assert.True(block.Language == "csharp", $"{document}:{line}: a C# block is fenced ```csharp and compiles as written; this one is ```{block.Language}");

        var problems = await CompileAsync(block.Text);

        Assert.True(
            problems.IsEmpty,
            $"{document}:{line}: the block does not compile as written:\n"
            + string.Join("\n", problems.Take(10).Select(d => d.ToString()))
            + "\n\n" + string.Join("\n", block.Text.Split('\n').Select((text, i) => $"{i + 1,3}  {text}")));
    }

    [Fact]
    public void The_package_readme_and_the_handlers_guide_have_csharp_blocks_to_compile()
    {
        // Guards the block reader itself: a change to the fences that hid every block would pass vacuously.
        Assert.True(Read("docs/package-readme.md").Count(b => b.Language == "csharp") >= 2);
        Assert.True(Read("docs/handlers.md").Count(b => b.Language == "csharp") >= 3);
    }

    [Fact]
    public async Task A_block_without_its_using_fails_with_the_compilers_error()
    {
        var problems = await CompileAsync("""
            public partial class Handlers
            {
                [OnMessage] public void Chat(string text) { }
            }
            """);

        Assert.Contains(problems, d => d.Id == "CS0246" && d.GetMessage().Contains("OnMessage", StringComparison.Ordinal));
    }

    /// <summary>
    /// System.Text.Json's source generator, as a web project's build runs it (it ships in the SDK's reference pack,
    /// not in the runtime): the blocks declare their <c>JsonSerializerContext</c> the way an app does.
    /// </summary>
    private static readonly Lazy<ISourceGenerator> JsonSourceGenerator = new(() =>
    {
        var dotnet = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var pack = Directory.GetDirectories(Path.Combine(dotnet, "packs", "Microsoft.NETCore.App.Ref"))
            .Select(folder => Path.Combine(folder, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"))
            .Where(File.Exists)
            .OrderByDescending(path => Version.Parse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(path))))!)))
            .First();
        var type = System.Reflection.Assembly.LoadFrom(pack).GetTypes().Single(t => typeof(IIncrementalGenerator).IsAssignableFrom(t) && !t.IsAbstract);
        return ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();
    });

    /// <summary>Errors and warnings of the compiler, the generator and the analyzer, in that order.</summary>
    private static async Task<ImmutableArray<Diagnostic>> CompileAsync(string source)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var tree = CSharpSyntaxTree.ParseText(source, parse, path: "Block.cs");
        var program = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "DocsBlock",
            [tree, CSharpSyntaxTree.ParseText(WebSdkGlobalUsings, parse, path: "GlobalUsings.g.cs")],
            Verifier.References.Value,
            new CSharpCompilationOptions(
                program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new ChannelsGenerator().AsSourceGenerator(), JsonSourceGenerator.Value], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var analyzer = await output.WithAnalyzers([new HandlerAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return [.. output.GetDiagnostics().Concat(generatorDiagnostics).Concat(analyzer).Where(d => d.Severity >= DiagnosticSeverity.Warning)];
    }

    /// <summary>The fenced blocks of a Markdown file: the fence's language, the line of its opening fence, the text.</summary>
    private static List<(string Language, int Line, string Text)> Read(string document)
    {
        var lines = File.ReadAllLines(Repo.Path(document.Split('/')));
        var blocks = new List<(string, int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var language = lines[i][3..].Trim();
            var end = Array.FindIndex(lines, i + 1, l => l.TrimEnd() == "```");
            Assert.True(end > i, $"{document}:{i + 1}: the fence is never closed");
            if (language is "csharp" or "cs" or "c#" or "C#" || language.StartsWith("csharp", StringComparison.Ordinal))
            {
                blocks.Add((language, i + 1, string.Join("\n", lines[(i + 1)..end])));
            }

            i = end;
        }

        return blocks;
    }
}
