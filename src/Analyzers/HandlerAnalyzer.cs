using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Parser;
using Channels.Generators.Patterns;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Channels.Analyzers;

/// <summary>
/// Reports every handler that breaks a rule, on the exact token: the validator is the generator's own
/// (<see cref="HandlerParser"/>), so what is reported here is exactly what the generator skips.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandlerAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Diagnostics.All;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownTypes(start.Compilation);
            var attributes = HandlerParser.Attributes
                .Select(a => (Symbol: start.Compilation.GetTypeByMetadataName(a.MetadataName), a.Kind))
                .Where(a => a.Symbol is not null)
                .ToImmutableArray();
            if (attributes.IsEmpty)
            {
                return;
            }

            var state = new CompilationState();
            start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, known, attributes!, state), SymbolKind.Method);
            start.RegisterSymbolAction(symbol => CollectJsonTypes(symbol, state), SymbolKind.NamedType);
            start.RegisterCompilationEndAction(end => ReportCompilationEnd(end, state));
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypes known, ImmutableArray<(INamedTypeSymbol Symbol, EventKind Kind)> attributes, CompilationState state)
    {
        var method = (IMethodSymbol)context.Symbol;
        foreach (var attribute in method.GetAttributes())
        {
            var match = attributes.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Symbol, attribute.AttributeClass));
            if (match.Symbol is null)
            {
                continue;
            }

            var problems = new List<HandlerProblem>();
            var entry = HandlerParser.Parse(method, attribute, match.Kind, known, problems);
            foreach (var problem in problems)
            {
                if (problem.Target is ProblemTarget.Class or ProblemTarget.ContainingType or ProblemTarget.ClassAttribute
                    && !state.ReportedClassProblems.TryAdd((method.ContainingType, problem.Rule, problem.Index), true))
                {
                    continue;
                }

                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.For(problem.Rule), Locate(problem, method, attribute), problem.Message));
            }

            if (entry is not null)
            {
                ReportPatternNotes(context, entry.Method, attribute);
                state.Record(entry, method);
            }
        }
    }

    private static void ReportPatternNotes(SymbolAnalysisContext context, HandlerMethodModel handler, AttributeData attribute)
    {
        if (handler.Pattern is null)
        {
            return;
        }

        var compiled = PatternCompiler.Compile(handler.Pattern);
        var location = ArgumentLocation(attribute, 0);
        if (compiled.NeverMatches)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.NeverMatches, location, handler.Pattern));
        }

        if (compiled.Strategy == PatternStrategy.Fallback)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.RegexFallback, location, handler.Pattern, compiled.FallbackReason));
        }
    }

    private static void CollectJsonTypes(SymbolAnalysisContext context, CompilationState state)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        for (var baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (baseType.ToDisplayString() == "System.Text.Json.Serialization.JsonSerializerContext")
            {
                foreach (var attribute in type.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonSerializableAttribute"
                        && attribute.ConstructorArguments.Length == 1
                        && attribute.ConstructorArguments[0].Value is ITypeSymbol declared)
                    {
                        state.JsonTypes.TryAdd(declared.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), true);
                    }
                }

                return;
            }
        }
    }

    private static void ReportCompilationEnd(CompilationAnalysisContext context, CompilationState state)
    {
        foreach (var use in state.PayloadUses)
        {
            if (!state.JsonTypes.ContainsKey(use.Type))
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UndeclaredJsonType, use.Location, use.Display));
            }
        }

        foreach (var group in state.AckingEvents.GroupBy(e => (e.Namespace, e.Name)).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.OrderBy(e => e.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(e => e.Location.SourceSpan.Start).Skip(1))
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.AmbiguousEvent, duplicate.Location, group.Key.Name, group.Key.Namespace, group.Count()));
            }
        }
    }

    // ---- locations ----

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
            case ProblemTarget.Method when declaration is not null:
                return problem.Rule == HandlerRule.GenericMethod && declaration.TypeParameterList is not null
                    ? declaration.TypeParameterList.GetLocation()
                    : declaration.Identifier.GetLocation();
            case ProblemTarget.AttributeArgument:
                return ArgumentLocation(attribute, problem.Offset);
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
    private static Location ArgumentLocation(AttributeData attribute, int offset)
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
            && token.Text == "\"" + value + "\""
            && offset < value.Length)
        {
            return Location.Create(syntax.SyntaxTree, new TextSpan(token.SpanStart + 1 + offset, 1));
        }

        return expression.GetLocation();
    }

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

    /// <summary>What the whole-compilation rules need, gathered while symbols are analyzed.</summary>
    private sealed class CompilationState
    {
        public ConcurrentDictionary<(INamedTypeSymbol, HandlerRule, int), bool> ReportedClassProblems { get; } = new(new ClassProblemComparer());

        public ConcurrentDictionary<string, bool> JsonTypes { get; } = new();

        public ConcurrentBag<(string Type, string Display, Location Location)> PayloadUses { get; } = [];

        public ConcurrentBag<(string Namespace, string Name, Location Location)> AckingEvents { get; } = [];

        public void Record(HandlerEntry entry, IMethodSymbol method)
        {
            var declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as MethodDeclarationSyntax;
            for (var i = 0; i < entry.Method.Parameters.Count; i++)
            {
                var parameter = entry.Method.Parameters[i];
                if (parameter.Binding == BindingKind.PayloadValue && !IsPrimitive(parameter.Type))
                {
                    var syntax = declaration?.ParameterList.Parameters.ElementAtOrDefault(i);
                    PayloadUses.Add((parameter.Type, parameter.Type.Replace("global::", ""), syntax?.Type?.GetLocation() ?? method.Locations[0]));
                }
            }

            if (entry.Method.Kind == EventKind.Event && entry.Method.Return is ReturnKind.Value or ReturnKind.TaskValue or ReturnKind.ValueTaskValue)
            {
                AckingEvents.Add((entry.Class.SocketNamespace, entry.Method.EventName!, method.Locations[0]));
                var valueType = method.ReturnType is INamedTypeSymbol { IsGenericType: true } named && entry.Method.Return != ReturnKind.Value
                    ? named.TypeArguments[0]
                    : method.ReturnType;
                var name = valueType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                if (!IsPrimitive(name))
                {
                    PayloadUses.Add((name, name.Replace("global::", ""), declaration?.ReturnType.GetLocation() ?? method.Locations[0]));
                }
            }
        }

        /// <summary>Types the runtime's own JSON context declares.</summary>
        private static bool IsPrimitive(string type) => type.TrimEnd('?') is
            "bool" or "int" or "long" or "double" or "decimal" or "string" or "global::System.Guid" or "global::System.DateTime"
            or "global::System.DateTimeOffset" or "global::System.Text.Json.JsonElement" or "string[]"
            or "global::System.Collections.Generic.Dictionary<string, string>" or "global::Channels.ChannelAck" or "object";

        private sealed class ClassProblemComparer : IEqualityComparer<(INamedTypeSymbol, HandlerRule, int)>
        {
            public bool Equals((INamedTypeSymbol, HandlerRule, int) x, (INamedTypeSymbol, HandlerRule, int) y) =>
                SymbolEqualityComparer.Default.Equals(x.Item1, y.Item1) && x.Item2 == y.Item2 && x.Item3 == y.Item3;

            public int GetHashCode((INamedTypeSymbol, HandlerRule, int) obj) =>
                (SymbolEqualityComparer.Default.GetHashCode(obj.Item1) * 31) + ((int)obj.Item2 * 7) + obj.Item3;
        }
    }
}
