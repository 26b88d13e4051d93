namespace Channels.Generators.Parser;

/// <summary>The rules a handler can break; the analyzer maps each to a fixed diagnostic ID.</summary>
internal enum HandlerRule
{
    ClassNotPartial,
    ContainingTypeNotPartial,
    ClassNotAccessible,
    GenericClass,
    GenericMethod,
    AbstractClass,
    AsyncVoid,
    BadReturnType,
    UnbindableParameter,
    DuplicateBinding,
    RefKindParameter,
    PointerParameter,
    ChannelNotAvailable,
    InvalidPattern,
    EmptyEventName,
    ReservedEventName,
    InvalidNamespace,
    NoUsableConstructor,
    ChannelMayBeNull,
    PayloadTypeNotAccessible,
    NotAClassMethod,
    ExplicitImplementation,
    InterfaceOrRefStruct,
    EmptyRateLimit,
    CaptureNotParsable,
}

/// <summary>Whether an event has a channel for a <c>string channel</c> parameter.</summary>
internal enum ChannelAvailability
{
    /// <summary>Never: the event concerns no channel.</summary>
    None,

    /// <summary>Sometimes: the parameter must accept null (<c>string?</c>).</summary>
    MaybeNull,

    /// <summary>Always.</summary>
    Always,
}

/// <summary>Which part of the handler a problem points at, so the analyzer can place it on the exact token.</summary>
internal enum ProblemTarget
{
    Class,
    ContainingType,
    Method,
    ReturnType,
    Parameter,
    AttributeArgument,
    ClassAttribute,
    Attribute,
    RateLimitArgument,

    /// <summary>The type of the parameter at <see cref="HandlerProblem.Index"/>.</summary>
    ParameterType,
}

/// <summary>
/// One broken rule: what, where (the target and, for parameters, the index), and the message. <see cref="Fix"/>
/// is what a code fix needs and cannot see from the syntax: the corrected namespace, or the metadata names of
/// the types to make internal (separated by <c>;</c>).
/// </summary>
internal sealed record HandlerProblem(HandlerRule Rule, ProblemTarget Target, int Index, string Message, int Offset = -1)
{
    /// <summary>The diagnostic property a code fix reads <see cref="Fix"/> from.</summary>
    public const string FixProperty = "Fix";

    public string? Fix { get; init; }
}
