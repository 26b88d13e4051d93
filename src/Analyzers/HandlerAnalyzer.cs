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
            if (HandlerParser.Attributes.All(a => start.Compilation.GetTypeByMetadataName(a.MetadataName) is null))
            {
                return;
            }

            var known = new KnownTypes(start.Compilation);
            var state = new CompilationState(start.Compilation, known);
            start.RegisterSymbolAction(symbol => AnalyzeType(symbol, known, state), SymbolKind.NamedType);
            start.RegisterSyntaxNodeAction(node => AnalyzeFunction(node, known), SyntaxKind.LocalFunctionStatement, SyntaxKind.ParenthesizedLambdaExpression);
            start.RegisterCompilationEndAction(end => ReportAmbiguousEvents(end, state));
        });
    }

    /// <summary>
    /// Every handler of one type, each parsed once: its own problems on its tokens, the type's problems once
    /// on the type, then the notes about valid handlers (patterns, JSON types, acks). A containing type's
    /// problem (CHN0002) is reported by that type's own action, so that it stays local to the type.
    /// </summary>
    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known, CompilationState state)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        ReportAsContainingType(context, type);
        var reported = new HashSet<HandlerRule>();
        foreach (var (method, attribute, kind) in Handlers(type))
        {
            var problems = new List<HandlerProblem>();
            var entry = HandlerParser.Parse(method, attribute, kind, known, problems);
            foreach (var problem in problems)
            {
                var report = problem.Target switch
                {
                    ProblemTarget.Class or ProblemTarget.ClassAttribute => reported.Add(problem.Rule),
                    ProblemTarget.ContainingType => false,
                    _ => true,
                };
                if (report)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Diagnostics.For(problem.Rule), Locate(problem, method, attribute), Properties(problem), problem.Message));
                }
            }

            if (entry is not null)
            {
                ReportPatternNotes(context, entry.Method, attribute);
                ReportUndeclaredChannel(context, entry, attribute, state);
                ReportUndeclaredJsonTypes(context, entry, method, state);
                state.RecordAckingEvent(entry, method);
            }
        }
    }

    /// <summary>
    /// Local functions and lambdas are no members of a type, so the symbol action never sees them (nor does the
    /// generator): their handler attributes are reported here, with the parser's own rule (CHN0021).
    /// </summary>
    private static void AnalyzeFunction(SyntaxNodeAnalysisContext context, KnownTypes known)
    {
        var symbol = context.Node is LocalFunctionStatementSyntax local
            ? context.SemanticModel.GetDeclaredSymbol(local, context.CancellationToken)
            : context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol;
        if (symbol is not IMethodSymbol method)
        {
            return;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (HandlerParser.KindOf(attribute) is { } kind)
            {
                var problems = new List<HandlerProblem>();
                HandlerParser.Parse(method, attribute, kind, known, problems);
                foreach (var problem in problems)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Diagnostics.For(problem.Rule), Locate(problem, method, attribute), Properties(problem), problem.Message));
                }
            }
        }
    }

    private static ImmutableDictionary<string, string?>? Properties(HandlerProblem problem) =>
        problem.Fix is null ? null : ImmutableDictionary<string, string?>.Empty.Add(HandlerProblem.FixProperty, problem.Fix);

    /// <summary>CHN0002 on <paramref name="type"/> when it holds a handler class (at any depth) and is not partial.</summary>
    private static void ReportAsContainingType(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        var handlerClass = NestedTypes(type).FirstOrDefault(nested => Handlers(nested).Any(h => HandlerParser.CheckMethodShape(h.Method) is null));
        if (handlerClass is null)
        {
            return;
        }

        var problems = new List<HandlerProblem>();
        HandlerParser.CheckContainingTypes(handlerClass, problems);
        var depth = HandlerParser.ContainingTypes(handlerClass).TakeWhile(t => !SymbolEqualityComparer.Default.Equals(t, type)).Count();
        foreach (var problem in problems.Where(p => p.Index == depth))
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.For(problem.Rule), TypeIdentifier(type), problem.Message));
        }
    }

    private static IEnumerable<INamedTypeSymbol> NestedTypes(INamedTypeSymbol type) =>
        type.GetTypeMembers().SelectMany(nested => new[] { nested }.Concat(NestedTypes(nested)));

    private static void ReportPatternNotes(SymbolAnalysisContext context, HandlerMethodModel handler, AttributeData attribute)
    {
        if (handler.Pattern is not { } compiled)
        {
            return;
        }

        var location = ArgumentLocation(attribute, 0);
        if (compiled.NeverMatches)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.NeverMatches, location, compiled.Pattern));
        }

        if (compiled.Strategy == PatternStrategy.Fallback)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.RegexFallback, location, compiled.Pattern, compiled.FallbackReason, PatternCompiler.EngineText(compiled.Engine)));
        }
    }

    /// <summary>The handler methods declared in <paramref name="type"/>, each with each of its handler attributes.</summary>
    private static IEnumerable<(IMethodSymbol Method, AttributeData Attribute, EventKind Kind)> Handlers(INamedTypeSymbol type)
    {
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            foreach (var attribute in method.GetAttributes())
            {
                if (HandlerParser.KindOf(attribute) is { } kind)
                {
                    yield return (method, attribute, kind);
                }
            }
        }
    }

    private static void ReportUndeclaredJsonTypes(SymbolAnalysisContext context, HandlerEntry entry, IMethodSymbol method, CompilationState state)
    {
        var declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as MethodDeclarationSyntax;
        for (var i = 0; i < entry.Method.Parameters.Count; i++)
        {
            var parameter = entry.Method.Parameters[i];
            // The model's type keeps nullable annotations (List<string?>); [JsonSerializable] declares types without them.
            var type = parameter.Binding == BindingKind.PayloadValue ? method.Parameters[i].Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
            if (type is not null && !state.IsDeclared(type))
            {
                var location = declaration?.ParameterList.Parameters.ElementAtOrDefault(i)?.Type?.GetLocation() ?? method.Locations[0];
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UndeclaredJsonType, location, type.Replace("global::", "")));
            }
        }

        if (entry.Method.Kind == EventKind.Event && entry.Method.Return is ReturnKind.Value or ReturnKind.TaskValue or ReturnKind.ValueTaskValue)
        {
            var valueType = entry.Method.Return != ReturnKind.Value && method.ReturnType is INamedTypeSymbol { IsGenericType: true } named
                ? named.TypeArguments[0]
                : method.ReturnType;
            var name = valueType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (!state.IsDeclared(name))
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UndeclaredJsonType, declaration?.ReturnType.GetLocation() ?? method.Locations[0], name.Replace("global::", "")));
            }
        }
    }

    private static void ReportAmbiguousEvents(CompilationAnalysisContext context, CompilationState state)
    {
        foreach (var group in state.AckingEvents.GroupBy(e => (e.Namespace, e.Name)).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.OrderBy(e => e.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(e => e.Location.SourceSpan.Start).Skip(1))
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.AmbiguousEvent, duplicate.Location, group.Key.Name, group.Key.Namespace, group.Count()));
            }
        }
    }

    /// <summary>
    /// CHN0103: a patterned [OnMessage], [OnUnsubscribe], [OnFinish] or [OnDisconnect] handler whose pattern
    /// matches no channel that an [OnSubscribe] pattern of its namespace matches. Those events need a channel
    /// the socket holds, and the runtime lets a client hold only channels that an [OnSubscribe] pattern
    /// matches. ([OnError] also fires for a refused publish to any channel, so it is not checked.) Reported on
    /// the handler's own type (so the code fix applies), from a compilation-wide index of [OnSubscribe] handlers.
    /// </summary>
    private static void ReportUndeclaredChannel(SymbolAnalysisContext context, HandlerEntry entry, AttributeData attribute, CompilationState state)
    {
        var handler = entry.Method;
        if (handler.Kind is not (EventKind.Message or EventKind.Unsubscribe or EventKind.Finish or EventKind.Disconnect)
            || handler.Pattern is not { NeverMatches: false } pattern
            || state.SubscribePatterns is not { } subscribes)
        {
            return;
        }

        var declared = subscribes.TryGetValue(entry.Class.SocketNamespace, out var list) ? list : [];
        if (!declared.Any(subscribe => state.MayMatchTheSame(pattern.Pattern, subscribe)))
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UndeclaredChannels, ArgumentLocation(attribute, -1), entry.Class.SocketNamespace, pattern.Pattern, handler.Kind.AttributeName()));
        }
    }

    private static Dictionary<string, List<string?>>? FindSubscribePatterns(Compilation compilation, KnownTypes known)
    {
        if (compilation.Options.OutputKind is OutputKind.DynamicallyLinkedLibrary or OutputKind.NetModule || ReferencesHandlerTable(compilation))
        {
            return null;
        }

        var patterns = new Dictionary<string, List<string?>>(System.StringComparer.Ordinal);
        foreach (var type in SourceTypes(compilation.Assembly.GlobalNamespace))
        {
            foreach (var (method, attribute, kind) in Handlers(type))
            {
                if (kind != EventKind.Subscribe)
                {
                    continue;
                }

                if (HandlerParser.Parse(method, attribute, kind, known, []) is not { } entry)
                {
                    return null;
                }

                if (!patterns.TryGetValue(entry.Class.SocketNamespace, out var list))
                {
                    patterns.Add(entry.Class.SocketNamespace, list = []);
                }

                list.Add(entry.Method.Pattern?.Pattern);
            }
        }

        return patterns;
    }

    private static IEnumerable<INamedTypeSymbol> SourceTypes(INamespaceSymbol ns) =>
        ns.GetNamespaceMembers().SelectMany(SourceTypes)
            .Concat(ns.GetTypeMembers().SelectMany(type => new[] { type }.Concat(NestedTypes(type))));

    /// <summary>Whether a referenced assembly carries a generated handler table, as the generator finds them.</summary>
    private static bool ReferencesHandlerTable(Compilation compilation)
    {
        foreach (var reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly
                && assembly.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Channels.Dispatch.ChannelHandlerTableAttribute"))
            {
                return true;
            }
        }

        return false;
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

    /// <summary>What the whole-compilation rules need: the JSON-declared types (found once) and the events that answer acks.</summary>
    private sealed class CompilationState(Compilation compilation, KnownTypes known)
    {
        private readonly ConcurrentDictionary<string, Generators.Patterns.Dfa?> _automata = new(System.StringComparer.Ordinal);
        private readonly System.Lazy<HashSet<string>> _jsonTypes = new(() => JsonContexts.DeclaredTypes(compilation));

        private readonly System.Lazy<Dictionary<string, List<string?>>?> _subscribePatterns = new(() => FindSubscribePatterns(compilation, known));

        public ConcurrentBag<(string Namespace, string Name, Location Location)> AckingEvents { get; } = [];

        /// <summary>
        /// The patterns of the [OnSubscribe] handlers by namespace (null: unpatterned), or null when CHN0103
        /// cannot see every channel declaration and so stays silent: in a library (the app may declare its
        /// channels), when a referenced assembly has a handler table (its patterns are not visible here), or when
        /// an [OnSubscribe] handler has errors (what it will declare is unknown).
        /// </summary>
        public Dictionary<string, List<string?>>? SubscribePatterns => _subscribePatterns.Value;

        /// <summary>
        /// Whether some channel name may match both patterns: exact with the automata (identical, or a non-empty
        /// intersection), and "yes" whenever it cannot be decided (outside the compiled subset, too large).
        /// </summary>
        public bool MayMatchTheSame(string pattern, string? subscribe)
        {
            if (subscribe is null || subscribe == pattern)
            {
                return true;
            }

            return Automaton(pattern) is not { } own || Automaton(subscribe) is not { } other || (PatternLanguage.Intersects(own, other) ?? true);
        }

        private Generators.Patterns.Dfa? Automaton(string pattern) => _automata.GetOrAdd(pattern, PatternLanguage.TryBuild);

        /// <summary>Whether a type is declared by a <c>[JsonSerializable]</c> of this compilation or by the runtime's own context.</summary>
        public bool IsDeclared(string type) => RuntimeJsonTypes.Contains(type) || _jsonTypes.Value.Contains(type);

        public void RecordAckingEvent(HandlerEntry entry, IMethodSymbol method)
        {
            if (entry.Method.Kind == EventKind.Event && entry.Method.Return is ReturnKind.Value or ReturnKind.TaskValue or ReturnKind.ValueTaskValue)
            {
                AckingEvents.Add((entry.Class.SocketNamespace, entry.Method.EventName!, method.Locations[0]));
            }
        }
    }
}
