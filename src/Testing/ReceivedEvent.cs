using System.Text.Json;

namespace Channels.Testing;

/// <summary>
/// An event the server sent to a <see cref="ChannelsTestClient"/>: its name and arguments. A channel
/// message is the event <c>message</c> with the payload first and the channel second.
/// </summary>
public sealed class ReceivedEvent
{
    private readonly JsonSerializerOptions _options;

    internal ReceivedEvent(string name, IReadOnlyList<JsonElement> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions options)
    {
        Name = name;
        Arguments = arguments;
        Attachments = attachments;
        _options = options;
    }

    /// <summary>The event name, e.g. <c>message</c>.</summary>
    public string Name { get; }

    /// <summary>The arguments after the name, as JSON; a binary argument is its placeholder object.</summary>
    public IReadOnlyList<JsonElement> Arguments { get; }

    /// <summary>The binary attachments, in placeholder order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>For a channel message, the channel (the second argument); otherwise null.</summary>
    public string? Channel =>
        Name == "message" && Arguments.Count > 1 && Arguments[1].ValueKind == JsonValueKind.String ? Arguments[1].GetString() : null;

    /// <summary>Argument <paramref name="index"/> deserialized with the client's JSON options (reflection-based: test code only).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such argument.</exception>
    public T? Get<T>(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Arguments.Count);
        return Arguments[index].Deserialize<T>(_options);
    }

    /// <summary>The event as the wire shows it, for messages: <c>name [arg, …]</c>.</summary>
    public override string ToString() => $"{Name} [{string.Join(", ", Arguments.Select(a => a.GetRawText()))}]";
}
