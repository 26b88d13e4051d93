using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Channels.Analyzers;

/// <summary>
/// The app's <c>JsonSerializerContext</c> classes and the types they declare. One lookup, used by the
/// analyzer (is a payload type declared? CHN0100) and by the code fix (where to declare it).
/// </summary>
internal static class JsonContexts
{
    private const string ContextType = "System.Text.Json.Serialization.JsonSerializerContext";
    private const string SerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";

    /// <summary>The context classes declared in the compilation's own source, ordered by full name.</summary>
    public static List<INamedTypeSymbol> Find(Compilation compilation)
    {
        var found = new List<INamedTypeSymbol>();
        var baseType = compilation.GetTypeByMetadataName(ContextType);
        if (baseType is null)
        {
            return found;
        }

        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(compilation.Assembly.GlobalNamespace);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            foreach (var member in current.GetMembers())
            {
                if (member is INamespaceOrTypeSymbol container)
                {
                    stack.Push(container);
                }
            }

            if (current is INamedTypeSymbol type && InheritsFrom(type, baseType))
            {
                found.Add(type);
            }
        }

        found.Sort((left, right) => string.CompareOrdinal(
            left.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            right.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
        return found;
    }

    /// <summary>Every type the compilation's contexts declare with <c>[JsonSerializable]</c>, fully qualified.</summary>
    public static HashSet<string> DeclaredTypes(Compilation compilation)
    {
        var declared = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var context in Find(compilation))
        {
            foreach (var attribute in context.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == SerializableAttribute
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is ITypeSymbol type)
                {
                    declared.Add(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                }
            }
        }

        return declared;
    }

    private static bool InheritsFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
