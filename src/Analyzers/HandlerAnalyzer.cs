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

namespace Channels.Analyzers;

/// <summary>
/// Reports every handler that breaks a rule, on the exact token: the validator is the generator's own
/// (<see cref="HandlerParser"/>), so what is reported here is exactly what the generator skips.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed partial class HandlerAnalyzer : DiagnosticAnalyzer
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
            if (SendMethods.Create(start.Compilation) is { } sends)
            {
                start.RegisterOperationAction(operation => AnalyzeSend(operation, sends, known, state), OperationKind.Invocation);
            }
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
                ReportCaptureNotes(context, entry.Method, method, attribute);
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

    /// <summary>The property the [JsonSerializable] code fix reads the type to declare from (fully qualified).</summary>
    internal const string JsonTypeKey = "JsonType";

    private static ImmutableDictionary<string, string?> JsonTypeProperty(string type) =>
        ImmutableDictionary<string, string?>.Empty.Add(JsonTypeKey, type);

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

    /// <summary>
    /// CHN0025 (error) or CHN0100 (warning): a payload type, or the type an [OnEvent] result is checked as at
    /// start-up (<see cref="HandlerParser.CheckedAckType"/>), that no [JsonSerializable] declares. The start-up
    /// check fails for both, so where the analyzer sees the app's contexts it is an error; where it sees none
    /// (the app has not set one up, or adds its resolvers only at run time) a warning.
    /// </summary>
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
                context.ReportDiagnostic(state.Undeclared(location, type));
            }
        }

        if (entry.Method.AckType is { } ackType && !state.IsDeclared(ackType))
        {
            context.ReportDiagnostic(state.Undeclared(declaration?.ReturnType.GetLocation() ?? method.Locations[0], ackType));
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

    /// <summary>What the whole-compilation rules need: the JSON-declared types (found once) and the events that answer acks.</summary>
    private sealed class CompilationState(Compilation compilation, KnownTypes known)
    {
        private readonly ConcurrentDictionary<string, Generators.Patterns.Dfa?> _automata = new(System.StringComparer.Ordinal);
        private readonly System.Lazy<(List<INamedTypeSymbol> Contexts, HashSet<string> Types)> _json = new(() =>
        {
            var contexts = JsonContexts.Visible(compilation);
            return (contexts, JsonContexts.DeclaredTypes(contexts));
        });

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

        /// <summary>Whether a type is declared by a <c>[JsonSerializable]</c> of a visible context or by the runtime's own context.</summary>
        public bool IsDeclared(string type) =>
            RuntimeJsonTypes.Contains(type)
            || _json.Value.Types.Contains(type);

        /// <summary>CHN0025 naming the app's contexts when the analyzer sees at least one; otherwise CHN0100.</summary>
        public Diagnostic Undeclared(Location location, string type)
        {
            var name = type.Replace("global::", "");
            var contexts = _json.Value.Contexts;
            return contexts.Count == 0
                ? Diagnostic.Create(Diagnostics.UndeclaredJsonType, location, JsonTypeProperty(type), name)
                : Diagnostic.Create(Diagnostics.JsonTypeMissingFromContext, location, JsonTypeProperty(type), name, string.Join(", ", contexts.Select(c => c.Name).Distinct().Take(3)));
        }

        public void RecordAckingEvent(HandlerEntry entry, IMethodSymbol method)
        {
            if (entry.Method.Kind == EventKind.Event && entry.Method.Return is ReturnKind.Value or ReturnKind.TaskValue or ReturnKind.ValueTaskValue)
            {
                AckingEvents.Add((entry.Class.SocketNamespace, entry.Method.EventName!, method.Locations[0]));
            }
        }
    }
}
