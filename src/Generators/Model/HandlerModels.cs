using Channels.Generators.Patterns;

namespace Channels.Generators.Model;

/// <summary>The event kinds, numbered as the runtime's <c>Channels.Dispatch.ChannelEventKind</c>.</summary>
internal enum EventKind
{
    Connect,
    Message,
    Subscribe,
    Unsubscribe,
    Error,
    Disconnect,
    Finish,
    Event,
}

/// <summary>Names of the event kinds as users write them.</summary>
internal static class EventKindNames
{
    /// <summary>The attribute that declares <paramref name="kind"/>, without its suffix: <c>OnMessage</c>.</summary>
    public static string AttributeName(this EventKind kind) => kind switch
    {
        EventKind.Connect => "OnConnect",
        EventKind.Message => "OnMessage",
        EventKind.Subscribe => "OnSubscribe",
        EventKind.Unsubscribe => "OnUnsubscribe",
        EventKind.Error => "OnError",
        EventKind.Disconnect => "OnDisconnect",
        EventKind.Finish => "OnFinish",
        _ => "OnEvent",
    };
}

/// <summary>Where a handler parameter's value comes from.</summary>
internal enum BindingKind
{
    Socket,
    HttpContext,
    Context,
    Channel,
    CancellationToken,
    Exception,
    PayloadString,
    PayloadElement,
    PayloadBinary,
    PayloadValue,
    Capture,
}

/// <summary>How a named group's text becomes a parameter's value.</summary>
internal enum CaptureConversion
{
    None,
    Text,
    Enum,
    Parsable,
}

/// <summary>The shapes of return type a handler may have.</summary>
internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
    Bool,
    TaskBool,
    ValueTaskBool,
    Value,
    TaskValue,
    ValueTaskValue,
}

/// <summary>
/// One parameter: where its value comes from, its type (fully qualified), for payloads the argument index,
/// and whether null may be passed to it (<c>string?</c>, or a <c>string</c> outside a nullable context).
/// </summary>
/// <remarks>For <see cref="BindingKind.Capture"/>: <see cref="Group"/> is the named group (the parameter's name) and
/// <see cref="Conversion"/> how its text converts.</remarks>
internal sealed record ParameterModel(BindingKind Binding, string Type, int ArgumentIndex, bool AcceptsNull = false)
{
    public string? Group { get; init; }

    public CaptureConversion Conversion { get; init; }
}

/// <summary>
/// One handler method, as the emitter needs it. Nothing positional: <see cref="Order"/> is the method's
/// place among its class's handler methods (declaration order), not a file or an offset, so an edit
/// elsewhere leaves the model equal. <see cref="AckType"/> is the type of an [OnEvent] result that the table
/// resolves through the app's JSON options at start-up (fully qualified), or null when there is none to check.
/// <see cref="SymbolId"/> is the method's documentation comment id, for the TypeScript contract, which reads the
/// payload types from the compilation.
/// </summary>
internal sealed record HandlerMethodModel(
    string Name,
    EventKind Kind,
    CompiledPattern? Pattern,
    string? EventName,
    string? RateLimit,
    bool IsStatic,
    EquatableArray<ParameterModel> Parameters,
    ReturnKind Return,
    string Signature,
    string AttributeText,
    int Order,
    string? AckType = null,
    string? SymbolId = null);

/// <summary>A type that contains the handler class, outermost first: its keyword and name (as C# spells it).</summary>
internal sealed record ContainingTypeModel(string Keyword, string Name);

/// <summary>A handler class with its valid handlers.</summary>
internal sealed record HandlerClassModel(
    string Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string Keyword,
    string Name,
    string FullName,
    bool IsStatic,
    bool Scoped,
    string SocketNamespace,
    EquatableArray<string> ConstructorParameters,
    EquatableArray<HandlerMethodModel> Methods);

/// <summary>One handler method found by an attribute, with its class's facts (grouped by class later).</summary>
internal sealed record HandlerEntry(HandlerClassModel Class, HandlerMethodModel Method);

/// <summary>What the table emitter needs besides the classes.</summary>
internal sealed record AssemblyModel(string AssemblyName, bool IsApplication, EquatableArray<string> ReferencedTables);

/// <summary>The whole input of the table emitter.</summary>
internal sealed record TableModel(AssemblyModel Assembly, EquatableArray<HandlerClassModel> Classes, EquatableArray<CompiledPattern> Patterns);
