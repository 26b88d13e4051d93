using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Channels.Analyzers.Tests;

/// <summary>The analyzer's copy of the runtime's JSON types (CHN0100 needs it; the runtime's context is internal) cannot drift.</summary>
public sealed class RuntimeJsonTypesTests
{
    [Fact]
    public void The_analyzer_knows_exactly_the_types_the_runtime_json_context_declares()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "Reader",
            references: references,
            options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, metadataImportOptions: MetadataImportOptions.All));
        var contextBase = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializerContext");
        var runtime = compilation.GetTypeByMetadataName("Channels.ChannelSocket")!.ContainingAssembly;

        var declared = AllTypes(runtime.GlobalNamespace)
            .Where(type => SymbolEqualityComparer.Default.Equals(type.BaseType, contextBase))
            .SelectMany(type => type.GetAttributes())
            .Where(attribute => attribute.AttributeClass?.Name == "JsonSerializableAttribute")
            .Select(attribute => ((ITypeSymbol)attribute.ConstructorArguments[0].Value!).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, RuntimeJsonTypes.Declared.Order(StringComparer.Ordinal));
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns) =>
        ns.GetTypeMembers().Concat(ns.GetNamespaceMembers().SelectMany(AllTypes));
}
