using System.Linq;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Parser;

/// <summary>The framework types parameters bind to, looked up once per compilation.</summary>
internal sealed class KnownTypes
{
    public KnownTypes(Compilation compilation)
    {
        ChannelSocket = compilation.GetTypeByMetadataName("Channels.ChannelSocket");
        HttpContext = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Http.HttpContext");
        IDictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.IDictionary`2");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Exception = compilation.GetTypeByMetadataName("System.Exception");
        JsonElement = compilation.GetTypeByMetadataName("System.Text.Json.JsonElement");
        ReadOnlyMemory = compilation.GetTypeByMetadataName("System.ReadOnlyMemory`1");
        Memory = compilation.GetTypeByMetadataName("System.Memory`1");
        ArraySegment = compilation.GetTypeByMetadataName("System.ArraySegment`1");
        ChannelPayload = compilation.GetTypeByMetadataName("Channels.ChannelPayload");
        Span = compilation.GetTypeByMetadataName("System.Span`1");
        ReadOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        ChannelHandlersAttribute = compilation.GetTypeByMetadataName("Channels.ChannelHandlersAttribute");
        Parsable = compilation.GetTypeByMetadataName("System.IParsable`1");
    }

    public INamedTypeSymbol? ChannelSocket { get; }

    public INamedTypeSymbol? HttpContext { get; }

    public INamedTypeSymbol? IDictionary { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Exception { get; }

    public INamedTypeSymbol? JsonElement { get; }

    public INamedTypeSymbol? ReadOnlyMemory { get; }

    public INamedTypeSymbol? Memory { get; }

    public INamedTypeSymbol? ArraySegment { get; }

    public INamedTypeSymbol? ChannelPayload { get; }

    public INamedTypeSymbol? Span { get; }

    public INamedTypeSymbol? ReadOnlySpan { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? ChannelHandlersAttribute { get; }

    /// <summary><c>System.IParsable&lt;TSelf&gt;</c> (.NET 7+), which every <c>ISpanParsable&lt;TSelf&gt;</c> implements.</summary>
    public INamedTypeSymbol? Parsable { get; }

    /// <summary>Whether <paramref name="type"/> implements <c>IParsable&lt;itself&gt;</c>.</summary>
    public bool IsParsable(ITypeSymbol type) =>
        Parsable is not null
        && type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, Parsable)
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));

    public bool IsContextDictionary(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } named
        && SymbolEqualityComparer.Default.Equals(named.ConstructedFrom, IDictionary)
        && named.TypeArguments[0].SpecialType == SpecialType.System_String
        && named.TypeArguments[1].SpecialType == SpecialType.System_Object;

    public bool IsBinary(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true } named
        && SymbolEqualityComparer.Default.Equals(named.ConstructedFrom, ReadOnlyMemory)
        && named.TypeArguments[0].SpecialType == SpecialType.System_Byte;

    /// <summary><c>Span&lt;byte&gt;</c> or <c>ReadOnlySpan&lt;byte&gt;</c>: binary data in a type generated code cannot hold.</summary>
    public bool IsByteSpan(ITypeSymbol type) =>
        (IsConstructedFrom(type, Span) || IsConstructedFrom(type, ReadOnlySpan))
        && ((INamedTypeSymbol)type).TypeArguments[0].SpecialType == SpecialType.System_Byte;

    public bool IsException(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, Exception))
            {
                return true;
            }
        }

        return false;
    }

    public bool Is(ITypeSymbol type, INamedTypeSymbol? known) => SymbolEqualityComparer.Default.Equals(type, known);

    public bool IsConstructedFrom(ITypeSymbol type, INamedTypeSymbol? generic) =>
        type is INamedTypeSymbol { IsGenericType: true } named && SymbolEqualityComparer.Default.Equals(named.ConstructedFrom, generic);
}
