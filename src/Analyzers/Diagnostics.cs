using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Channels.Generators.Parser;
using Microsoft.CodeAnalysis;

namespace Channels.Analyzers;

/// <summary>
/// Every diagnostic the analyzer reports: fixed IDs, one rule each, with a link to its section of the
/// catalog (<c>docs/diagnostics.md</c>) when the build knows where the docs are published.
/// </summary>
internal static class Diagnostics
{
    private const string Category = "Channels";

    /// <summary>The name of the assembly metadata that carries <see cref="DocsUrl"/>.</summary>
    public const string DocsUrlMetadata = "ChannelsDocsUrl";

    /// <summary>
    /// Where the repository's <c>docs/</c> folder is published, ending in <c>/</c>, or empty: baked in at build
    /// time from the MSBuild property <c>ChannelsDocsUrl</c> (by default <c>$(RepositoryUrl)/blob/main/docs/</c>).
    /// Declared first: the descriptors below read it while the type initializes.
    /// </summary>
    public static string DocsUrl { get; } = typeof(Diagnostics).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == DocsUrlMetadata)?.Value ?? string.Empty;

    public static readonly DiagnosticDescriptor ClassNotPartial = Error("CHN0001", "Handler class must be partial", "{0}");
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("CHN0002", "Types containing a handler class must be partial", "{0}");
    public static readonly DiagnosticDescriptor BadReturnType = Error("CHN0003", "Handler return type is not allowed for its event", "{0}");
    public static readonly DiagnosticDescriptor AsyncVoid = Error("CHN0004", "Handler methods cannot be async void", "{0}");
    public static readonly DiagnosticDescriptor UnbindableParameter = Error("CHN0005", "Handler parameter cannot be bound", "{0}");
    public static readonly DiagnosticDescriptor DuplicateBinding = Error("CHN0006", "Two handler parameters compete for the same value", "{0}");
    public static readonly DiagnosticDescriptor RefKindParameter = Error("CHN0007", "Handler parameters cannot be ref, out, in or params", "{0}");
    public static readonly DiagnosticDescriptor PointerParameter = Error("CHN0008", "Handler parameters cannot be pointers", "{0}");
    public static readonly DiagnosticDescriptor GenericMethod = Error("CHN0009", "Handler methods cannot be generic", "{0}");
    public static readonly DiagnosticDescriptor GenericClass = Error("CHN0010", "Handler classes cannot be generic", "{0}");
    public static readonly DiagnosticDescriptor AbstractClass = Error("CHN0011", "Instance handlers cannot be declared in an abstract class", "{0}");
    public static readonly DiagnosticDescriptor ClassNotAccessible = Error("CHN0012", "Handler classes must be internal or public", "{0}");
    public static readonly DiagnosticDescriptor InvalidPattern = Error("CHN0013", "Channel pattern is not a valid regular expression", "{0}");
    public static readonly DiagnosticDescriptor EmptyEventName = Error("CHN0014", "[OnEvent] needs a non-empty event name", "{0}");
    public static readonly DiagnosticDescriptor ReservedEventName = Error("CHN0015", "[OnEvent] cannot use a reserved event name", "{0}");
    public static readonly DiagnosticDescriptor InvalidNamespace = Error("CHN0016", "Socket.IO namespace is not valid", "{0}");
    public static readonly DiagnosticDescriptor ChannelNotAvailable = Error("CHN0017", "This event has no channel to bind", "{0}");
    public static readonly DiagnosticDescriptor NoUsableConstructor = Error("CHN0018", "Handler class needs an accessible constructor", "{0}");
    public static readonly DiagnosticDescriptor ChannelMayBeNull = Error("CHN0019", "Channel parameter must be nullable where the event can have no channel", "{0}");
    public static readonly DiagnosticDescriptor PayloadTypeNotAccessible = Error("CHN0020", "Payload types must be internal or public", "{0}");
    public static readonly DiagnosticDescriptor NotAClassMethod = Error("CHN0021", "Handler attributes are allowed only on methods of a class", "{0}");
    public static readonly DiagnosticDescriptor ExplicitImplementation = Error("CHN0022", "Handler methods cannot be explicit interface implementations", "{0}");
    public static readonly DiagnosticDescriptor InterfaceOrRefStruct = Error("CHN0023", "Handlers cannot be declared in an interface or a ref struct", "{0}");
    public static readonly DiagnosticDescriptor EmptyRateLimit = Error("CHN0024", "RateLimit cannot be empty", "{0}");

    public static readonly DiagnosticDescriptor CaptureNotParsable = Error("CHN0026", "Parameter bound to a named group cannot be parsed from text", "{0}");

    public static readonly DiagnosticDescriptor JsonTypeMissingFromContext = new(
        "CHN0025",
        "Payload or ack type is not declared in the app's JsonSerializerContext",
        "Type '{0}' is declared by no [JsonSerializable] of {1}, so the app fails at start-up; add [JsonSerializable(typeof({0}))] to the context",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0025"));

    public static readonly DiagnosticDescriptor UndeclaredJsonType = new(
        "CHN0100",
        "Payload type is not declared in any JsonSerializerContext",
        "Type '{0}' is declared by no [JsonSerializable], and the analyzer sees no JsonSerializerContext; unless a resolver added at run time declares it, the app fails at start-up: add [JsonSerializable(typeof({0}))] to the app's JsonSerializerContext and register it in ChannelsOptions.JsonSerializerOptions.TypeInfoResolverChain",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0100"),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor AmbiguousEvent = new(
        "CHN0101",
        "Several [OnEvent] handlers return a value for the same event",
        "Event '{0}' in namespace '{1}' has {2} handlers that return a value; only the first answers the ack: make the others return void, Task or ValueTask",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0101"),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor NeverMatches = new(
        "CHN0102",
        "Channel pattern can never match",
        "Pattern '{0}' matches no channel name; the handler never runs: correct the pattern or remove the handler",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0102"));

    public static readonly DiagnosticDescriptor UndeclaredChannels = new(
        "CHN0103",
        "Channel pattern is declared by no [OnSubscribe] handler",
        "No [OnSubscribe] pattern of namespace '{0}' matches a channel that '{1}' matches; clients cannot subscribe to these channels, so this [{2}] handler never runs for them: add an [OnSubscribe] handler whose pattern matches them, or set ChannelsOptions.AllowUndeclaredChannels",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0103"),
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UndeclaredSentType = new(
        "CHN0104",
        "Sent type is not declared in any JsonSerializerContext",
        "Type '{0}' is declared by no [JsonSerializable] the analyzer can see; sending it through ChannelsOptions.JsonSerializerOptions throws NotSupportedException: add [JsonSerializable(typeof({0}))] to the app's JsonSerializerContext",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0104"));

    public static readonly DiagnosticDescriptor CaptureNeverParses = new(
        "CHN0105",
        "Named group admits text its parameter's type can never parse",
        "Group '{0}' of pattern '{1}' admits characters {2} can never parse, so such a channel is refused at run time: tighten the group to {3}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0105"));

    public static readonly DiagnosticDescriptor CaptureRegexFallback = new(
        "CHN0201",
        "Named groups are read by a runtime Regex",
        "The named groups of pattern '{0}' are read by a cached runtime Regex, not compiled code: {1}; write the pattern as literals with one character class and quantifier per group, each followed by a literal the class excludes or by the end, to have them compiled",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0201"));

    public static readonly DiagnosticDescriptor RegexFallback = new(
        "CHN0200",
        "Channel pattern uses a runtime Regex",
        "Pattern '{0}' is matched by a runtime Regex ({2}), not compiled code: {1}; write it without that construct to have it compiled",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink("CHN0200"));

    public static ImmutableArray<DiagnosticDescriptor> All { get; } =
    [
        ClassNotPartial, ContainingTypeNotPartial, BadReturnType, AsyncVoid, UnbindableParameter, DuplicateBinding,
        RefKindParameter, PointerParameter, GenericMethod, GenericClass, AbstractClass, ClassNotAccessible,
        InvalidPattern, EmptyEventName, ReservedEventName, InvalidNamespace, ChannelNotAvailable, NoUsableConstructor,
        ChannelMayBeNull, PayloadTypeNotAccessible, NotAClassMethod, ExplicitImplementation, InterfaceOrRefStruct, EmptyRateLimit,
        JsonTypeMissingFromContext, CaptureNotParsable, UndeclaredJsonType, AmbiguousEvent, NeverMatches, UndeclaredChannels, UndeclaredSentType,
        CaptureNeverParses, RegexFallback, CaptureRegexFallback,
    ];

    private static readonly Dictionary<HandlerRule, DiagnosticDescriptor> ByRule = new()
    {
        [HandlerRule.ClassNotPartial] = ClassNotPartial,
        [HandlerRule.ContainingTypeNotPartial] = ContainingTypeNotPartial,
        [HandlerRule.BadReturnType] = BadReturnType,
        [HandlerRule.AsyncVoid] = AsyncVoid,
        [HandlerRule.UnbindableParameter] = UnbindableParameter,
        [HandlerRule.DuplicateBinding] = DuplicateBinding,
        [HandlerRule.RefKindParameter] = RefKindParameter,
        [HandlerRule.PointerParameter] = PointerParameter,
        [HandlerRule.GenericMethod] = GenericMethod,
        [HandlerRule.GenericClass] = GenericClass,
        [HandlerRule.AbstractClass] = AbstractClass,
        [HandlerRule.ClassNotAccessible] = ClassNotAccessible,
        [HandlerRule.InvalidPattern] = InvalidPattern,
        [HandlerRule.EmptyEventName] = EmptyEventName,
        [HandlerRule.ReservedEventName] = ReservedEventName,
        [HandlerRule.InvalidNamespace] = InvalidNamespace,
        [HandlerRule.ChannelNotAvailable] = ChannelNotAvailable,
        [HandlerRule.NoUsableConstructor] = NoUsableConstructor,
        [HandlerRule.ChannelMayBeNull] = ChannelMayBeNull,
        [HandlerRule.PayloadTypeNotAccessible] = PayloadTypeNotAccessible,
        [HandlerRule.NotAClassMethod] = NotAClassMethod,
        [HandlerRule.ExplicitImplementation] = ExplicitImplementation,
        [HandlerRule.EmptyRateLimit] = EmptyRateLimit,
        [HandlerRule.InterfaceOrRefStruct] = InterfaceOrRefStruct,
        [HandlerRule.CaptureNotParsable] = CaptureNotParsable,
    };

    public static DiagnosticDescriptor For(HandlerRule rule) => ByRule[rule];

    /// <summary>
    /// The absolute address of the rule's section of the catalog (its heading <c>## CHN0005</c> has the anchor
    /// <c>chn0005</c>), or empty when the build had no docs address: no link rather than a relative path that
    /// resolves nowhere. The messages say how to fix the problem either way.
    /// </summary>
    public static string HelpLink(string docsUrl, string id) =>
        docsUrl.Length == 0 ? string.Empty : docsUrl + "diagnostics.md#" + id.ToLowerInvariant();

    private static string HelpLink(string id) => HelpLink(DocsUrl, id);

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
