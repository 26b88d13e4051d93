using Channels.CodeFixes;
using Microsoft.CodeAnalysis;

namespace Channels.Analyzers.Tests;

/// <summary>
/// CHN0103: handlers that need a channel the socket holds, whose pattern no [OnSubscribe] pattern of the
/// namespace can match. Reported only where every pattern is visible: in an application with no library tables.
/// </summary>
public sealed class UndeclaredChannelTests
{
    private const string Program = """

        public static class Program
        {
            public static void Main() { }
        }
        """;

    [Fact]
    public Task CHN0103_channel_handlers_of_a_namespace_with_no_subscribe_handler() => Verifier.VerifyAsync(OutputKind.ConsoleApplication, """
        public partial class Handlers
        {
            [OnMessage({|CHN0103:"^room-"|})] public void Message(string text) { }
            [OnUnsubscribe({|CHN0103:"^room-"|})] public void Left() { }
            [OnFinish({|CHN0103:@"^room-\d+$"|})] public void Finished() { }
            [OnDisconnect({|CHN0103:"lobby"|})] public void Gone() { }
            [OnError("^room-")] public void Failed(Exception error) { }
            [OnMessage] public void Plain(string text) { }
            [OnUnsubscribe] public void AnyLeft() { }
        }
        """ + Program);

    [Fact]
    public Task CHN0103_subscribe_patterns_that_match_none_of_the_channels() => Verifier.VerifyAsync(OutputKind.ConsoleApplication, """
        public partial class Handlers
        {
            [OnSubscribe("^lobby$")] public bool Lobby() => true;
            [OnSubscribe(@"^user-\d+$")] public bool User() => true;
            [OnMessage({|CHN0103:"^room-"|})] public void Message(string text) { }
            [OnMessage({|CHN0103:@"^user-[a-z]+$"|})] public void UserMessage(string text) { }
        }

        [ChannelHandlers(Namespace = "/admin")]
        public partial class AdminHandlers
        {
            [OnSubscribe] public bool Any() => true;
        }
        """ + Program);

    [Fact]
    public Task No_CHN0103_when_a_subscribe_pattern_covers_or_may_match() => Verifier.VerifyAsync(OutputKind.ConsoleApplication, """
        public partial class Handlers
        {
            [OnSubscribe("^lobby$")] public bool Lobby() => true;
            [OnSubscribe(@"^room-\d+$")] public bool Room() => true;
            [OnSubscribe({|CHN0200:@"^(a)\1$"|})] public bool Fallback() => true;
            [OnMessage("^lobby$")] public void Identical(string text) { }
            [OnMessage("^room-")] public void Overlapping(string text) { }
            [OnUnsubscribe("lob")] public void Contained() { }
            [OnFinish("^a")] public void Undecidable() { }
        }

        [ChannelHandlers(Namespace = "/admin")]
        public partial class AdminHandlers
        {
            [OnSubscribe] public bool Any() => true;
            [OnMessage("^anything$")] public void Message(string text) { }
        }

        [ChannelHandlers(Namespace = "/news")]
        public partial class NewsHandlers
        {
            [OnSubscribe({|CHN0200:@"^(?=n)news$"|})] public bool News() => true;
            [OnMessage({|CHN0200:@"^(?=s)sport$"|})] public void Sport(string text) { }
        }
        """ + Program);

    [Fact]
    public Task No_CHN0103_while_a_subscribe_handler_has_errors() => Verifier.VerifyAsync(OutputKind.ConsoleApplication, """
        public partial class Handlers
        {
            [OnSubscribe("^lobby$")] public {|CHN0003:int|} Lobby() => 1;
            [OnMessage("^room-")] public void Message(string text) { }
        }
        """ + Program);

    [Fact]
    public Task No_CHN0103_in_a_library_whose_app_may_declare_the_channels() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnMessage("^room-")] public void Message(string text) { }
        }
        """);

    [Fact]
    public Task No_CHN0103_when_a_referenced_library_has_a_handler_table() => Verifier.VerifyWithLibraryAsync(
        """
        [assembly: Channels.Dispatch.ChannelHandlerTableAttribute(typeof(LibraryTable))]

        public sealed class LibraryTable
        {
        }
        """,
        """
        public partial class Handlers
        {
            [OnMessage("^room-")] public void Message(string text) { }
        }
        """ + Program);

    [Fact]
    public Task Add_subscribe_handler_with_the_same_pattern() => Verifier.VerifyFixAsync<AddSubscribeHandlerFix>(
        """
        public partial class Handlers
        {
            [OnMessage({|CHN0103:@"^room-\d+$"|})] public void Message(string text) { }

            public void AllowSubscribe() { }
        }
        """ + Program,
        """
        public partial class Handlers
        {
            [OnMessage(@"^room-\d+$")] public void Message(string text) { }
            [OnSubscribe(@"^room-\d+$")]
            public static bool AllowSubscribe2() => true;

            public void AllowSubscribe() { }
        }
        """ + Program,
        outputKind: OutputKind.ConsoleApplication);
}
