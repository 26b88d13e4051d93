using System.Linq;
using Channels.Generators.Parser;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Channels.Analyzers;

/// <summary>Where each diagnostic goes: the exact token of the user's code.</summary>
public sealed partial class HandlerAnalyzer
{
    private static Location Locate(HandlerProblem problem, IMethodSymbol method, AttributeData attribute)
    {
        var declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as MethodDeclarationSyntax;
        switch (problem.Target)
        {
            case ProblemTarget.ReturnType when declaration is not null:
                return declaration.ReturnType.GetLocation();
            case ProblemTarget.Parameter when declaration is not null && problem.Index < declaration.ParameterList.Parameters.Count:
                var parameter = declaration.ParameterList.Parameters[problem.Index];
                return problem.Rule == HandlerRule.RefKindParameter && parameter.Modifiers.Count > 0
                    ? parameter.Modifiers[0].GetLocation()
                    : parameter.GetLocation();
            case ProblemTarget.ParameterType when declaration is not null && problem.Index < declaration.ParameterList.Parameters.Count:
                var typed = declaration.ParameterList.Parameters[problem.Index];
                return (typed.Type ?? (SyntaxNode)typed).GetLocation();
            case ProblemTarget.Method when declaration is not null:
                return problem.Rule switch
                {
                    HandlerRule.GenericMethod when declaration.TypeParameterList is not null => declaration.TypeParameterList.GetLocation(),
                    HandlerRule.ExplicitImplementation when declaration.ExplicitInterfaceSpecifier is not null => declaration.ExplicitInterfaceSpecifier.GetLocation(),
                    _ => declaration.Identifier.GetLocation(),
                };
            case ProblemTarget.Attribute:
                return attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
            case ProblemTarget.AttributeArgument:
                return ArgumentLocation(attribute, problem.Offset);
            case ProblemTarget.RateLimitArgument:
                return NamedArgument(attribute, "RateLimit") ?? ArgumentLocation(attribute, -1);
            case ProblemTarget.ClassAttribute:
                return ClassAttributeArgument(method.ContainingType, "Namespace");
            case ProblemTarget.ContainingType:
                var container = HandlerParser.ContainingTypes(method.ContainingType).ElementAtOrDefault(problem.Index);
                return TypeIdentifier(container ?? method.ContainingType);
            case ProblemTarget.Class:
                return TypeIdentifier(method.ContainingType);
            default:
                return method.Locations.FirstOrDefault() ?? Location.None;
        }
    }

    private static Location TypeIdentifier(INamedTypeSymbol type)
    {
        var declaration = type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax())
            .OfType<TypeDeclarationSyntax>()
            .FirstOrDefault(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword))
            ?? type.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().FirstOrDefault();
        return declaration?.Identifier.GetLocation() ?? type.Locations.FirstOrDefault() ?? Location.None;
    }

    /// <summary>The attribute's first argument; with an offset into a plain string literal, that character.</summary>
    private static Location ArgumentLocation(AttributeData attribute, int offset) => ArgumentLocation(attribute, offset, 1, verbatim: false);

    /// <summary>
    /// The attribute's first argument; with an offset into a string literal that has no escapes (plain or verbatim),
    /// the <paramref name="length"/> characters there (in a verbatim literal too when <paramref name="verbatim"/>).
    /// </summary>
    internal static Location ArgumentLocation(AttributeData attribute, int offset, int length, bool verbatim = true)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax)
        {
            return Location.None;
        }

        if (syntax.ArgumentList is not { Arguments.Count: > 0 } arguments)
        {
            return syntax.GetLocation();
        }

        var expression = arguments.Arguments[0].Expression;
        if (offset >= 0
            && expression is LiteralExpressionSyntax { Token: var token } literal
            && literal.IsKind(SyntaxKind.StringLiteralExpression)
            && token.ValueText is { } value
            && offset + length <= value.Length)
        {
            var prefix = token.Text == "\"" + value + "\"" ? 1 : verbatim && token.Text == "@\"" + value + "\"" ? 2 : -1;
            if (prefix > 0)
            {
                return Location.Create(syntax.SyntaxTree, new TextSpan(token.SpanStart + prefix + offset, length));
            }
        }

        return expression.GetLocation();
    }

    private static Location? NamedArgument(AttributeData attribute, string name) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression.GetLocation();

    private static Location ClassAttributeArgument(INamedTypeSymbol type, string name)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "Channels.ChannelHandlersAttribute"
                && attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax)
            {
                var argument = syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
                return (argument?.Expression ?? (SyntaxNode)syntax).GetLocation();
            }
        }

        return TypeIdentifier(type);
    }
}
