using System.Collections.Generic;
using System.Linq;
using Channels.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Parser;

/// <summary>Which types generated code can take as a payload and name, and which constructor it calls.</summary>
internal static partial class HandlerParser
{
    /// <summary>
    /// Why a value of <paramref name="type"/> cannot be deserialized by generated code (which names it as
    /// <c>JsonTypeInfo&lt;T&gt;</c>), or null when it can. Checked so that generated code always compiles.
    /// </summary>
    public static string? WhyNotPayload(ITypeSymbol type, KnownTypes known)
    {
        switch (type)
        {
            case { TypeKind: TypeKind.Error }:
                return "the type is not known; check its name and usings";
            case { TypeKind: TypeKind.TypeParameter }:
                return "a type parameter has no JSON contract; use a concrete type";
            case { TypeKind: TypeKind.Pointer or TypeKind.FunctionPointer }:
                return "pointers have no JSON contract; use a managed type";
            case { IsRefLikeType: true }:
                return known.IsByteSpan(type)
                    ? "a ref struct cannot be deserialized; use ReadOnlyMemory<byte> for binary data"
                    : "a ref struct cannot be deserialized; use a class, a struct or an array";
            case { IsStatic: true }:
                return "a static class has no instances; use a class, a record or a struct";
            case { TypeKind: TypeKind.Delegate }:
                return "delegates have no JSON contract; take the data the client sends (a class, a record, a string)";
            case IArrayTypeSymbol array:
                return WhyNotPayload(array.ElementType, known);
            case INamedTypeSymbol { IsGenericType: true } generic:
                foreach (var argument in generic.TypeArguments)
                {
                    if (WhyNotPayload(argument, known) is { } reason)
                    {
                        return reason;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>The value an [OnEvent] handler answers the ack with (<c>T</c> of <c>T</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c>), or null.</summary>
    public static ITypeSymbol? AckValueType(IMethodSymbol method, ReturnKind kind) => kind switch
    {
        ReturnKind.Value => method.ReturnType,
        ReturnKind.TaskValue or ReturnKind.ValueTaskValue when method.ReturnType is INamedTypeSymbol { IsGenericType: true } named => named.TypeArguments[0],
        _ => null,
    };

    /// <summary>
    /// The type whose JSON contract decides whether an ack of <paramref name="type"/> can be sent, fully qualified
    /// (a nullable value type as its underlying type: the boxed value is what is serialized), or null when none
    /// can be checked before run time. The runtime writes an ack value by its run-time type, so <c>object</c>,
    /// <c>dynamic</c>, interfaces and abstract classes cannot be checked; strings, <c>JsonElement</c>, binary
    /// (<c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>Memory&lt;byte&gt;</c>, <c>ArraySegment&lt;byte&gt;</c>) and
    /// <c>ChannelPayload</c> are written without the JSON options. A type the table cannot name (CHN0020's
    /// hidden types, error types) is skipped: generated code must compile.
    /// </summary>
    public static string? CheckedAckType(ITypeSymbol? type, KnownTypes known)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type is null
            || type.SpecialType is SpecialType.System_Object or SpecialType.System_String
            || type.TypeKind is TypeKind.Dynamic or TypeKind.Interface or TypeKind.Error or TypeKind.TypeParameter
            || type.IsAbstract
            || WhyNotPayload(type, known) is not null
            || FirstInaccessible(type) is not null
            || known.Is(type, known.JsonElement) || known.Is(type, known.ChannelPayload)
            || type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte }
            || IsByteBuffer(type, known))
        {
            return null;
        }

        return type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }

    private static bool IsByteBuffer(ITypeSymbol type, KnownTypes known) =>
        (known.IsConstructedFrom(type, known.ReadOnlyMemory) || known.IsConstructedFrom(type, known.Memory) || known.IsConstructedFrom(type, known.ArraySegment))
        && ((INamedTypeSymbol)type).TypeArguments[0].SpecialType == SpecialType.System_Byte;

    /// <summary>The first type within <paramref name="type"/> (itself, a containing type, a type argument, an element type) that code outside its class cannot name.</summary>
    public static INamedTypeSymbol? FirstInaccessible(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return FirstInaccessible(array.ElementType);
            case INamedTypeSymbol named:
                for (var current = named; current is not null; current = current.ContainingType)
                {
                    if (IsHidden(current))
                    {
                        return current;
                    }
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (FirstInaccessible(argument) is { } hidden)
                    {
                        return hidden;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Private, protected, private protected or file-local: code elsewhere in the assembly cannot name it.</summary>
    public static bool IsHidden(INamedTypeSymbol type) =>
        type.IsFileLocal || type.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal;

    /// <summary>
    /// The constructor generated code calls: of the accessible ones whose parameters DI can supply (no ref or
    /// out, no ref structs, pointers or nullable value types, which <c>GetRequiredService</c> cannot name), the
    /// one with the most parameters. A class with <c>required</c> members needs one marked
    /// <c>[SetsRequiredMembers]</c>: generated code does not set members. Problems only for instance handlers.
    /// </summary>
    private static string[] ReadConstructor(INamedTypeSymbol type, List<HandlerProblem>? problems)
    {
        var hasRequired = HasRequiredMembers(type);
        var constructor = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal)
            .Where(c => c.Parameters.All(p => p.RefKind is RefKind.None or RefKind.In
                && !p.Type.IsRefLikeType
                && p.Type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer)
                && p.Type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T))
            .Where(c => !hasRequired || c.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute"))
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        if (constructor is null || type.IsAbstract || type.IsStatic)
        {
            problems?.Add(new HandlerProblem(HandlerRule.NoUsableConstructor, ProblemTarget.Class, 0, hasRequired
                ? $"Handler class '{type.Name}' has required members: its instance handlers need a public or internal constructor marked [SetsRequiredMembers] whose parameters DI can supply"
                : $"Handler class '{type.Name}' needs a public or internal constructor whose parameters DI can supply, for its instance handlers"));
            return [];
        }

        return [.. constructor.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))];
    }

    private static bool HasRequiredMembers(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers().Any(m => m is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true }))
            {
                return true;
            }
        }

        return false;
    }
}
