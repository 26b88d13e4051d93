using Channels.CodeFixes;

namespace Channels.Analyzers.Tests;

/// <summary>Parameters bound to the named groups of a channel pattern: CHN0026, CHN0105 (with its fix), CHN0201, and the group rules of CHN0006/CHN0017.</summary>
public sealed class CaptureTests
{
    [Fact]
    public Task Typed_groups_of_the_common_shape_report_nothing() => Verifier.VerifyAsync("""
        public enum Kind { Lobby, Game }

        public partial class Handlers
        {
            [OnSubscribe(@"^room-(?<roomId>\d+)$")] public bool Room(int roomId, string channel) => roomId > 0;
            [OnMessage(@"^user:(?<user>[^:]+):(?<kind>[A-Za-z]+)$")] public void User(string user, Kind kind, string text) { }
            [OnUnsubscribe(@"^big-(?<id>-?\d+)-(?<key>[0-9a-f-]+)$")] public void Big(long id, Guid key) { }
            [OnError(@"^day-(?<day>\d+)$")] public void Day(Exception exception, DateOnly day) { }
        }
        """);

    [Fact]
    public Task CHN0026_group_bound_to_a_type_that_cannot_be_parsed() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnSubscribe(@"^room-(?<roomId>\d+)$")] public bool Room({|CHN0026:List<int>|} roomId) => true;
        }
        """);

    [Fact]
    public Task CHN0006_group_named_channel_competes_with_the_channel() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnSubscribe(@"^(?<channel>\w+)$")] public bool Room({|CHN0006:string channel|}) => true;
        }
        """);

    [Fact]
    public Task CHN0017_group_name_on_an_event_without_a_channel() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnSubscribe(@"^room-(?<roomId>\d+)$")] public bool Room(int roomId) => true;
            [OnConnect] public bool Connect({|CHN0017:int roomId|}) => true;
            [OnEvent("join")] public void Join({|CHN0017:int roomId|}) { }
        }
        """);

    [Fact]
    public Task CHN0105_class_admits_text_the_type_never_parses() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnSubscribe(@"^room-(?<id>{|CHN0105:\w+|})$")] public bool Room(int id) => true;
            [OnSubscribe("^key-(?<key>{|CHN0105:.+|})$")] public bool Key(Guid key) => true;
            [OnSubscribe(@"^name-(?<name>\w+)$")] public bool Name(string name) => true;
        }
        """);

    [Fact]
    public Task CHN0201_groups_read_by_a_runtime_regex() => Verifier.VerifyAsync("""
        public partial class Handlers
        {
            [OnSubscribe({|CHN0201:@"^(?:a|b)-(?<n>\d+)$"|})] public bool Either(int n) => true;
            [OnSubscribe(@"^(?:c|d)-(?<n>\d+)$")] public bool Unbound() => true;
        }
        """);

    [Fact]
    public Task Tighten_the_group_to_what_int_parses() => Verifier.VerifyFixAsync<TightenGroupFix>(
        """
        public partial class Handlers
        {
            [OnSubscribe(@"^room-(?<id>{|CHN0105:\w+|})$")] public bool Room(int id) => true;
            [OnSubscribe("^key-(?<key>{|CHN0105:.+|})$")] public bool Key(Guid key) => true;
        }
        """,
        """
        public partial class Handlers
        {
            [OnSubscribe(@"^room-(?<id>-?\d+)$")] public bool Room(int id) => true;
            [OnSubscribe("^key-(?<key>[0-9a-fA-F-]+)$")] public bool Key(Guid key) => true;
        }
        """);
}
