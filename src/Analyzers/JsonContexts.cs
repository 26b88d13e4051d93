using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Channels.Analyzers;

/// <summary>
/// The app's <c>JsonSerializerContext</c> classes and the types they declare. One lookup, used by the
/// analyzer (is a payload, ack or sent type declared? CHN0025, CHN0100, CHN0104) and by the code fix (where to
/// declare it).
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

    /// <summary>
    /// The contexts the app can insert into its JSON options: its own (<see cref="Find"/>) and the ones referenced
    /// assemblies make accessible to it. Only assemblies that reference System.Text.Json are searched.
    /// </summary>
    public static List<INamedTypeSymbol> Visible(Compilation compilation)
    {
        var found = Find(compilation);
        var baseType = compilation.GetTypeByMetadataName(ContextType);
        if (baseType is null)
        {
            return found;
        }

        foreach (var reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly
                && !SymbolEqualityComparer.Default.Equals(assembly, baseType.ContainingAssembly)
                && assembly.Modules.Any(m => m.ReferencedAssemblies.Any(a => a.Name == "System.Text.Json")))
            {
                found.AddRange(Types(assembly.GlobalNamespace).Where(t => InheritsFrom(t, baseType) && compilation.IsSymbolAccessibleWithin(t, compilation.Assembly)));
            }
        }

        return found;
    }

    /// <summary>Every type the compilation's contexts declare with <c>[JsonSerializable]</c>, fully qualified.</summary>
    public static HashSet<string> DeclaredTypes(Compilation compilation) => DeclaredTypes(Find(compilation));

    /// <summary>Every type <paramref name="contexts"/> declare with <c>[JsonSerializable]</c>, fully qualified.</summary>
    public static HashSet<string> DeclaredTypes(IEnumerable<INamedTypeSymbol> contexts)
    {
        var declared = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var context in contexts)
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

    private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns)
    {
        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(ns);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current is INamedTypeSymbol type)
            {
                yield return type;
            }

            foreach (var member in current.GetMembers())
            {
                if (member is INamespaceOrTypeSymbol container)
                {
                    stack.Push(container);
                }
            }
        }
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
