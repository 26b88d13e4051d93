using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Parser;

/// <summary>The rules of the class a handler is declared in: its settings (lifetime, namespace), partial, accessible, not generic.</summary>
internal static partial class HandlerParser
{
    private static (bool Scoped, string Namespace) ReadClassSettings(INamedTypeSymbol type, KnownTypes known, List<HandlerProblem> problems)
    {
        var settings = type.GetAttributes().FirstOrDefault(a => known.Is(a.AttributeClass!, known.ChannelHandlersAttribute));
        var scoped = false;
        var socketNamespace = "/";
        if (settings is null)
        {
            return (scoped, socketNamespace);
        }

        foreach (var named in settings.NamedArguments)
        {
            if (named.Key == "Lifetime" && named.Value.Value is int lifetime)
            {
                scoped = lifetime == 1;
            }
            else if (named.Key == "Namespace")
            {
                socketNamespace = named.Value.Value as string ?? "";
                if (!IsValidNamespace(socketNamespace))
                {
                    var withSlash = "/" + socketNamespace;
                    problems.Add(new HandlerProblem(HandlerRule.InvalidNamespace, ProblemTarget.ClassAttribute, 0, $"'{socketNamespace}' is not a valid Socket.IO namespace: it must start with '/' and contain no ',' or whitespace")
                    {
                        Fix = socketNamespace.Length > 0 && socketNamespace[0] != '/' && IsValidNamespace(withSlash) ? withSlash : null,
                    });
                }
            }
        }

        return (scoped, socketNamespace);
    }

    public static bool IsValidNamespace(string value) =>
        value.Length > 0 && value.Length <= 256 && value[0] == '/' && !value.Any(c => c == ',' || char.IsWhiteSpace(c));

    private static void CheckClass(INamedTypeSymbol type, IMethodSymbol method, List<HandlerProblem> problems)
    {
        if (!IsPartial(type))
        {
            problems.Add(new HandlerProblem(HandlerRule.ClassNotPartial, ProblemTarget.Class, 0, $"Handler class '{type.Name}' must be partial; add the partial modifier"));
        }

        CheckContainingTypes(type, problems);
        var hidden = new[] { type }.Concat(ContainingTypes(type)).Where(IsHidden).ToList();
        if (hidden.Count > 0)
        {
            problems.Add(new HandlerProblem(HandlerRule.ClassNotAccessible, ProblemTarget.Class, 0, $"Handler class '{type.Name}' and its containing types must be internal or public")
            {
                Fix = string.Join(";", hidden.Select(MetadataName)),
            });
        }

        if (type.IsGenericType || ContainingTypes(type).Any(t => t.IsGenericType))
        {
            problems.Add(new HandlerProblem(HandlerRule.GenericClass, ProblemTarget.Class, 0, $"Handler class '{type.Name}' cannot be generic or inside a generic type; move its handlers to a non-generic class"));
        }

        if (type.IsAbstract && !type.IsStatic && !method.IsStatic)
        {
            problems.Add(new HandlerProblem(HandlerRule.AbstractClass, ProblemTarget.Method, 0, $"Instance handlers cannot be declared in abstract class '{type.Name}'; make the method static"));
        }
    }

    /// <summary>CHN0002: every type around a handler class must be partial. Index: the depth, outermost 0.</summary>
    public static void CheckContainingTypes(INamedTypeSymbol handlerClass, List<HandlerProblem> problems)
    {
        var depth = 0;
        foreach (var container in ContainingTypes(handlerClass))
        {
            if (!IsPartial(container))
            {
                problems.Add(new HandlerProblem(HandlerRule.ContainingTypeNotPartial, ProblemTarget.ContainingType, depth, $"Type '{container.Name}' contains a handler class and must be partial; add the partial modifier"));
            }

            depth++;
        }
    }
}
