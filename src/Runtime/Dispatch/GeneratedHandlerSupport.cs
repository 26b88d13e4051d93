using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Channels.Dispatch;

/// <summary>
/// Small helpers the generated handler code calls: argument binding and turning a handler's return
/// value into a <see cref="HandlerResult"/>. Not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedHandlerSupport
{
    private static readonly ValueTask<HandlerResult> Continue = new(HandlerResult.Continue);
    private static readonly ValueTask<HandlerResult> Accepted = new(HandlerResult.Continue);
    private static readonly ValueTask<HandlerResult> Rejected = new(HandlerResult.Reject());

    /// <summary>The type info for <typeparamref name="T"/> from the app's JSON options; a clear error when no context declares it.</summary>
    /// <exception cref="InvalidOperationException">No resolver of <paramref name="options"/> knows <typeparamref name="T"/>.</exception>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TryGetTypeInfo(typeof(T), out var info) && info is JsonTypeInfo<T> typed)
        {
            return typed;
        }

        throw new InvalidOperationException(
            $"No JsonSerializerContext in ChannelsOptions.JsonSerializerOptions declares {typeof(T)}, a handler's payload type. {HowToDeclare(typeof(T))}");
    }

    /// <summary>
    /// Checks at start-up that an [OnEvent] handler's result type can be sent as its ack, so that a missing
    /// declaration fails when the app starts rather than at each call (the client would get no answer).
    /// </summary>
    /// <exception cref="InvalidOperationException">No resolver of <paramref name="options"/> knows <typeparamref name="T"/>.</exception>
    public static void CheckAckType<T>(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetTypeInfo(typeof(T), out _))
        {
            throw new InvalidOperationException(
                $"No JsonSerializerContext in ChannelsOptions.JsonSerializerOptions declares {typeof(T)}, which an [OnEvent] handler returns as its ack. {HowToDeclare(typeof(T))}");
        }
    }

    private static string HowToDeclare(Type type) =>
        $"Add [JsonSerializable(typeof({type.Name}))] to the app's JsonSerializerContext and insert the context into " +
        "ChannelsOptions.JsonSerializerOptions.TypeInfoResolverChain (AddChannels(o => o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default))).";

    /// <summary>
    /// Runs a scoped handler: a new DI scope and instance for this event, disposed after it. While it runs,
    /// the event's <see cref="ChannelEvent.Services"/> and the socket's <c>HttpContext.RequestServices</c>
    /// are that scope, so a scoped service resolved either way is the handler's own. (The connection's
    /// handlers run one at a time, so no other handler sees the socket's context meanwhile.)
    /// </summary>
    public static async ValueTask<HandlerResult> InScope<THandler>(ChannelEvent e, Func<IServiceProvider, THandler> create, Func<THandler, ChannelEvent, ValueTask<HandlerResult>> invoke)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(invoke);
        var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateAsyncScope(e.Services);
        await using (scope.ConfigureAwait(false))
        {
            var services = scope.ServiceProvider;
            var http = e.Socket.HttpContext;
            var previous = http.RequestServices;
            http.RequestServices = services;
            try
            {
                var scoped = new ChannelEvent(e.Kind, e.Socket, e.Channel, e.Payload, e.Exception, services);
                return await invoke(create(services), scoped).ConfigureAwait(false);
            }
            finally
            {
                http.RequestServices = previous;
            }
        }
    }

    // ---- arguments ----

    /// <summary>
    /// Argument <paramref name="index"/> as a string: a JSON string, or null for JSON null (the generated code
    /// refuses null for a non-nullable parameter). Any other kind is the client's mistake, not text to bind.
    /// </summary>
    public static string? String(ChannelPayload payload, int index)
    {
        var at = Require(payload, index);
        return payload.GetValueKind(at) is JsonValueKind.String or JsonValueKind.Null
            ? payload.GetString(at)
            : throw Mismatch(index, "a string", payload.GetValueKind(at));
    }

    /// <summary>Argument <paramref name="index"/> as a <see cref="JsonElement"/> (any JSON value).</summary>
    public static JsonElement Element(ChannelPayload payload, int index) => payload.GetElement(Require(payload, index));

    /// <summary>Argument <paramref name="index"/> as binary; a client that sent something else gets an error.</summary>
    public static ReadOnlyMemory<byte> Binary(ChannelPayload payload, int index) =>
        payload.TryGetBinary(Require(payload, index), out var bytes)
            ? bytes
            : throw Mismatch(index, "binary", payload.GetValueKind(index));

    /// <summary>
    /// Argument <paramref name="index"/> deserialized; null for JSON null (the generated code refuses null for
    /// a non-nullable parameter).
    /// </summary>
    public static T Value<T>(ChannelPayload payload, int index, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return payload.Deserialize(Require(payload, index), typeInfo)!;
        }
        catch (JsonException ex)
        {
            throw new ChannelProtocolException($"argument {index}: not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>The error for a JSON null given to a parameter that is not nullable.</summary>
    public static ChannelProtocolException NullArgument(int index) => new($"argument {index}: null, but the parameter is not nullable");

    private static int Require(ChannelPayload payload, int index) =>
        index < payload.Count ? index : throw new ChannelProtocolException($"argument {index}: missing");

    private static ChannelProtocolException Mismatch(int index, string expected, JsonValueKind got) =>
        new($"argument {index}: expected {expected}, got {got switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        }}");

    // ---- captures ----

    /// <summary>
    /// <paramref name="text"/>, captured by named group <paramref name="group"/> from the channel of <paramref name="e"/>,
    /// parsed as <typeparamref name="T"/> with the invariant culture; a client's channel that does not convert (an
    /// <c>int</c> that overflows) is a protocol error naming the channel and the group, and the handler does not run.
    /// </summary>
    public static T Capture<T>(string text, ChannelEvent e, string group)
        where T : IParsable<T> =>
        T.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw CaptureError(e.Channel, group, text, typeof(T));

    /// <summary><paramref name="text"/>, captured by named group <paramref name="group"/>, as a member name of <typeparamref name="T"/> (case-sensitive; numbers are refused).</summary>
    public static T CaptureEnum<T>(string text, ChannelEvent e, string group)
        where T : struct, Enum =>
        text.Length > 0 && !char.IsDigit(text[0]) && text[0] is not ('-' or '+') && !text.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse<T>(text, ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw CaptureError(e.Channel, group, text, typeof(T));

    /// <summary>The error for a channel whose groups could not be read (<paramref name="pattern"/> does not match it).</summary>
    public static ChannelProtocolException CaptureMismatch(ChannelEvent e, string pattern) =>
        new($"channel '{Protocol.ClientText.Excerpt(e.Channel ?? "")}' does not match pattern '{pattern}'");

    private static ChannelProtocolException CaptureError(string? channel, string group, string text, Type type) =>
        new($"channel '{Protocol.ClientText.Excerpt(channel ?? "")}': group '{group}' ('{Protocol.ClientText.Excerpt(text)}') is not a valid {type.Name}");

    // ---- results ----

    /// <summary>A handler that returned void.</summary>
    public static ValueTask<HandlerResult> Done() => Continue;

    /// <summary>A handler that returned a <see cref="Task"/>.</summary>
    public static ValueTask<HandlerResult> Done(Task task) =>
        task.IsCompletedSuccessfully ? Continue : AwaitDone(task);

    /// <summary>A handler that returned a <see cref="ValueTask"/>.</summary>
    public static ValueTask<HandlerResult> Done(ValueTask task) =>
        task.IsCompletedSuccessfully ? Continue : AwaitDone(task);

    /// <summary>A connect or subscribe handler that returned a bool (false rejects).</summary>
    public static ValueTask<HandlerResult> Accept(bool accepted) => accepted ? Accepted : Rejected;

    /// <summary>A connect or subscribe handler that returned a <see cref="Task{Boolean}"/>.</summary>
    public static ValueTask<HandlerResult> Accept(Task<bool> task) =>
        task.IsCompletedSuccessfully ? Accept(task.Result) : AwaitAccept(task);

    /// <summary>A connect or subscribe handler that returned a <see cref="ValueTask{Boolean}"/>.</summary>
    public static ValueTask<HandlerResult> Accept(ValueTask<bool> task) =>
        task.IsCompletedSuccessfully ? Accept(task.Result) : AwaitAccept(task);

    /// <summary>An event handler's return value, sent as the ack.</summary>
    public static ValueTask<HandlerResult> Ack<T>(T value) => new(HandlerResult.Ack(value));

    /// <summary>An event handler's <see cref="Task{T}"/>, whose result is sent as the ack.</summary>
    public static ValueTask<HandlerResult> Ack<T>(Task<T> task) =>
        task.IsCompletedSuccessfully ? Ack(task.Result) : AwaitAck(task);

    /// <summary>An event handler's <see cref="ValueTask{T}"/>, whose result is sent as the ack.</summary>
    public static ValueTask<HandlerResult> Ack<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? Ack(task.Result) : AwaitAck(task);

    private static async ValueTask<HandlerResult> AwaitDone(Task task)
    {
        await task.ConfigureAwait(false);
        return HandlerResult.Continue;
    }

    private static async ValueTask<HandlerResult> AwaitDone(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return HandlerResult.Continue;
    }

    private static async ValueTask<HandlerResult> AwaitAccept(Task<bool> task) => HandlerResult.FromBoolean(await task.ConfigureAwait(false));

    private static async ValueTask<HandlerResult> AwaitAccept(ValueTask<bool> task) => HandlerResult.FromBoolean(await task.ConfigureAwait(false));

    private static async ValueTask<HandlerResult> AwaitAck<T>(Task<T> task) => HandlerResult.Ack(await task.ConfigureAwait(false));

    private static async ValueTask<HandlerResult> AwaitAck<T>(ValueTask<T> task) => HandlerResult.Ack(await task.ConfigureAwait(false));
}

/// <summary>
/// Names the generated handler table of an assembly, so that an app's generated code can register the
/// tables of the class libraries it references (without reflection).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ChannelHandlerTableAttribute(Type tableType) : Attribute
{
    /// <summary>The generated table type; it has a constructor taking an <see cref="IServiceProvider"/>.</summary>
    public Type TableType { get; } = tableType;
}
