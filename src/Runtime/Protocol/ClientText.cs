namespace Channels.Protocol;

/// <summary>
/// Text a client chose, as the server may repeat it in an ack, a log line or an exception: never more
/// than a short prefix, so a refusal cannot be turned into an echo of megabytes.
/// </summary>
internal static class ClientText
{
    /// <summary>The most characters of client text repeated.</summary>
    public const int MaxExcerpt = 64;

    /// <summary><paramref name="text"/> itself when short; otherwise its first characters and its length.</summary>
    public static string Excerpt(string text) =>
        text.Length <= MaxExcerpt ? text : $"{text[..MaxExcerpt]}… ({text.Length} characters)";

    /// <summary>The most characters of an error text sent to a client.</summary>
    public const int MaxError = 200;

    /// <summary>An error text for a client's ack, cut to <see cref="MaxError"/> characters.</summary>
    public static string Error(string text) => text.Length <= MaxError ? text : text[..(MaxError - 1)] + "…";
}
