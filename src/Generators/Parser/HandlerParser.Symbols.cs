using System.Collections.Generic;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.Generators.Parser;

/// <summary>Reading symbols: handler attributes, declaration order, metadata names, containing types.</summary>
internal static partial class HandlerParser
{
    /// <summary>
    /// The <c>RateLimit</c> named argument of <c>[OnEvent]</c> and <c>[OnMessage]</c> (the other attributes have
    /// none); CHN0024 when it is given but empty. Whether the app configures the name is known only at run time:
    /// the app fails to start if it does not.
    /// </summary>
    private static string? ReadRateLimit(AttributeData attribute, EventKind kind, List<HandlerProblem> problems)
    {
        if (kind is not (EventKind.Event or EventKind.Message))
        {
            return null;
        }

        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == "RateLimit" && argument.Value.Value is var value)
            {
                if (value is string { Length: > 0 } name && !string.IsNullOrWhiteSpace(name))
                {
                    return name;
                }

                if (value is not null)
                {
                    problems.Add(new HandlerProblem(HandlerRule.EmptyRateLimit, ProblemTarget.RateLimitArgument, 0, "RateLimit names a limit of ChannelsOptions.EventRateLimits: it cannot be empty or blank (leave it out for none)"));
                }
            }
        }

        return null;
    }

    /// <summary>The method's place among the handler methods of its class, in declaration order.</summary>
    private static int DeclarationOrder(IMethodSymbol method)
    {
        var order = 0;
        foreach (var member in method.ContainingType.GetMembers())
        {
            if (SymbolEqualityComparer.Default.Equals(member, method))
            {
                return order;
            }

            if (member is IMethodSymbol other && IsHandler(other))
            {
                order++;
            }
        }

        return order;
    }

    /// <summary>Whether <paramref name="method"/> carries a handler attribute.</summary>
    public static bool IsHandler(IMethodSymbol method) => method.GetAttributes().Any(a => KindOf(a) is not null);

    /// <summary>The event kind a handler attribute declares, or null for any other attribute.</summary>
    public static EventKind? KindOf(AttributeData attribute)
    {
        if (attribute.AttributeClass is not { ContainingNamespace: { Name: "Channels", ContainingNamespace.IsGlobalNamespace: true } } attributeClass)
        {
            return null;
        }

        var name = "Channels." + attributeClass.MetadataName;
        foreach (var (metadataName, kind) in Attributes)
        {
            if (metadataName == name)
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The name <c>Compilation.GetTypeByMetadataName</c> finds <paramref name="type"/> by (<c>Ns.Outer+Inner`1</c>).</summary>
    public static string MetadataName(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            name = container.MetadataName + "+" + name;
        }

        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }

    private static string NamespaceName(INamespaceSymbol ns)
    {
        var parts = new Stack<string>();
        for (var current = ns; current is { IsGlobalNamespace: false }; current = current.ContainingNamespace)
        {
            parts.Push(CSharpText.EscapeIdentifier(current.Name));
        }

        return string.Join(".", parts);
    }

    /// <summary>The types containing <paramref name="type"/>, outermost first.</summary>
    public static IEnumerable<INamedTypeSymbol> ContainingTypes(INamedTypeSymbol type)
    {
        var stack = new Stack<INamedTypeSymbol>();
        for (var current = type.ContainingType; current is not null; current = current.ContainingType)
        {
            stack.Push(current);
        }

        return stack;
    }

    /// <summary>Whether every declaration of <paramref name="type"/> says <c>partial</c>.</summary>
    public static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string AttributeText(AttributeData attribute)
    {
        var name = attribute.AttributeClass!.Name;
        name = name.EndsWith("Attribute") ? name.Substring(0, name.Length - "Attribute".Length) : name;
        var args = attribute.ConstructorArguments.Where(a => a.Value is string).Select(a => CSharpText.Literal((string)a.Value!));
        var text = string.Join(", ", args);
        return text.Length == 0 ? $"[{name}]" : $"[{name}({text})]";
    }
}
