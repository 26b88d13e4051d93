using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Channels.Analyzers.Tests;

/// <summary>
/// Runs <see cref="HandlerAnalyzer"/> over markup source (<c>{|CHN0003:void|}</c>) with the running
/// framework, ASP.NET Core and Channels.SDK as references (no reference packages are downloaded).
/// </summary>
public static class Verifier
{
    /// <summary>The running framework, ASP.NET Core, Channels.SDK and the test's other assemblies, but not Roslyn's.</summary>
    public static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal) && !Path.GetFileName(path).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Channels;
        using Microsoft.AspNetCore.Http;

        """;

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected) =>
        VerifyAsync(OutputKind.DynamicallyLinkedLibrary, source, expected);

    /// <summary>As <see cref="VerifyAsync(string, DiagnosticResult[])"/>, compiled as <paramref name="outputKind"/> (an app needs a Main).</summary>
    public static Task VerifyAsync(OutputKind outputKind, string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<HandlerAnalyzer, DefaultVerifier>();
        Configure(test, source);
        test.TestState.OutputKind = outputKind;
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>An application that references a library project compiled from <paramref name="librarySource"/>.</summary>
    public static Task VerifyWithLibraryAsync(string librarySource, string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<HandlerAnalyzer, DefaultVerifier>();
        Configure(test, source);
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        var library = test.TestState.AdditionalProjects["Library"];
        library.Sources.Add(("Library.cs", Usings + librarySource));
        library.AdditionalReferences.AddRange(References.Value);
        test.TestState.AdditionalProjectReferences.Add("Library");
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task VerifyFixAsync<TFix>(string source, string fixedSource, int iterations = 1, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        // The same text before and after: the fixer must offer nothing.
        var offersNothing = source == fixedSource;
        var test = new CSharpCodeFixTest<HandlerAnalyzer, TFix, DefaultVerifier>
        {
            FixedCode = Usings + fixedSource,
            NumberOfFixAllIterations = offersNothing ? 0 : iterations,
        };
        if (offersNothing)
        {
            test.NumberOfIncrementalIterations = 0;
        }

        Configure(test, source);
        test.TestState.OutputKind = outputKind;
        test.FixedState.OutputKind = outputKind;
        test.FixedState.AdditionalReferences.AddRange(References.Value);
        return test.RunAsync();
    }

    private static void Configure(AnalyzerTest<DefaultVerifier> test, string source)
    {
        test.TestCode = Usings + source;
        test.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(References.Value);
        test.TestState.OutputKind = OutputKind.DynamicallyLinkedLibrary;
    }
}
