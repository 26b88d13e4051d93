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
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
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

    public static Task VerifyAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<HandlerAnalyzer, DefaultVerifier>();
        Configure(test, source);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task VerifyFixAsync<TFix>(string source, string fixedSource, int iterations = 1)
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
