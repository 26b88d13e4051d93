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

/// <summary>One parameter: where its value comes from, its type, and for payloads the argument index.</summary>
internal sealed record ParameterModel(BindingKind Binding, string Type, int ArgumentIndex);

/// <summary>One handler method, as the emitter needs it.</summary>
internal sealed record HandlerMethodModel(
    string Name,
    EventKind Kind,
    string? Pattern,
    string? EventName,
    bool IsStatic,
    EquatableArray<ParameterModel> Parameters,
    ReturnKind Return,
    string Signature,
    string AttributeText,
    string SortKey);

/// <summary>A type that contains the handler class, outermost first: its keyword and name.</summary>
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
