using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Channels.Generators.Tests;

/// <summary>
/// Compiles a user's source the way the SDK would (against the running framework, ASP.NET Core and
/// Channels.SDK), runs the generator over it, and can load the result to call the generated code.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Preview);

    public static CSharpCompilation Compile(string source, string assemblyName = "TestApp", OutputKind kind = OutputKind.ConsoleApplication, IEnumerable<MetadataReference>? extra = null) =>
        CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Handlers.cs")],
            [.. References.Value, .. extra ?? []],
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new ChannelsGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the output compilation and the generated files by hint name.</summary>
    public static (Compilation Output, IReadOnlyDictionary<string, string> Files, ImmutableArray<Diagnostic> Diagnostics) Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var files = driver.GetRunResult().GeneratedTrees.ToDictionary(
            tree => Path.GetFileName(tree.FilePath),
            tree => tree.GetText().ToString(),
            StringComparer.Ordinal);
        var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(generatorDiagnostics).ToImmutableArray();
        return (output, files, errors);
    }

    /// <summary>Runs the generator and requires that the result compiles without warnings.</summary>
    public static (Compilation Output, IReadOnlyDictionary<string, string> Files) RunClean(string source, string assemblyName = "TestApp", OutputKind kind = OutputKind.ConsoleApplication, IEnumerable<MetadataReference>? extra = null) =>
        RunClean(Compile(source, assemblyName, kind, extra));

    /// <summary>Runs the generator over <paramref name="compilation"/> and requires that the result compiles without warnings.</summary>
    public static (Compilation Output, IReadOnlyDictionary<string, string> Files) RunClean(CSharpCompilation compilation)
    {
        var (output, files, diagnostics) = Run(compilation);
        Assert.True(
            diagnostics.IsEmpty,
            "The generated code does not compile cleanly:\n" + string.Join("\n", diagnostics) + "\n\n"
            + string.Join("\n", files.Select(f => $"==== {f.Key}\n{f.Value}")));
        return (output, files);
    }

    /// <summary>Emits and loads a compilation in its own load context (with Channels.SDK shared with the test).</summary>
    public static Assembly Load(Compilation compilation, params Compilation[] dependencies)
    {
        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: true);
        foreach (var dependency in dependencies)
        {
            LoadInto(context, dependency);
        }

        return LoadInto(context, compilation);
    }

    public static MetadataReference Reference(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static Assembly LoadInto(AssemblyLoadContext context, Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        stream.Position = 0;
        return context.LoadFromStream(stream);
    }
}
