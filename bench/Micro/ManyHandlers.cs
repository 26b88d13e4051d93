// 100 patterned message handlers, for the dispatch benchmark (written by a script; each one counts).
namespace Channels.Bench.Micro;

/// <summary>Handlers bound to "^room-{i}-" for i in 0..99: only one matches any given channel.</summary>
public sealed partial class ManyHandlers
{
    public int Calls;

    [OnMessage("^room-0-")]
    public void H0(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-1-")]
    public void H1(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-2-")]
    public void H2(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-3-")]
    public void H3(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-4-")]
    public void H4(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-5-")]
    public void H5(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-6-")]
    public void H6(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-7-")]
    public void H7(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-8-")]
    public void H8(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-9-")]
    public void H9(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-10-")]
    public void H10(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-11-")]
    public void H11(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-12-")]
    public void H12(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-13-")]
    public void H13(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-14-")]
    public void H14(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-15-")]
    public void H15(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-16-")]
    public void H16(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-17-")]
    public void H17(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-18-")]
    public void H18(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-19-")]
    public void H19(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-20-")]
    public void H20(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-21-")]
    public void H21(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-22-")]
    public void H22(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-23-")]
    public void H23(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-24-")]
    public void H24(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-25-")]
    public void H25(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-26-")]
    public void H26(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-27-")]
    public void H27(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-28-")]
    public void H28(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-29-")]
    public void H29(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-30-")]
    public void H30(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-31-")]
    public void H31(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-32-")]
    public void H32(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-33-")]
    public void H33(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-34-")]
    public void H34(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-35-")]
    public void H35(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-36-")]
    public void H36(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-37-")]
    public void H37(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-38-")]
    public void H38(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-39-")]
    public void H39(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-40-")]
    public void H40(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-41-")]
    public void H41(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-42-")]
    public void H42(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-43-")]
    public void H43(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-44-")]
    public void H44(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-45-")]
    public void H45(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-46-")]
    public void H46(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-47-")]
    public void H47(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-48-")]
    public void H48(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-49-")]
    public void H49(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-50-")]
    public void H50(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-51-")]
    public void H51(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-52-")]
    public void H52(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-53-")]
    public void H53(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-54-")]
    public void H54(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-55-")]
    public void H55(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-56-")]
    public void H56(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-57-")]
    public void H57(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-58-")]
    public void H58(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-59-")]
    public void H59(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-60-")]
    public void H60(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-61-")]
    public void H61(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-62-")]
    public void H62(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-63-")]
    public void H63(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-64-")]
    public void H64(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-65-")]
    public void H65(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-66-")]
    public void H66(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-67-")]
    public void H67(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-68-")]
    public void H68(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-69-")]
    public void H69(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-70-")]
    public void H70(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-71-")]
    public void H71(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-72-")]
    public void H72(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-73-")]
    public void H73(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-74-")]
    public void H74(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-75-")]
    public void H75(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-76-")]
    public void H76(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-77-")]
    public void H77(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-78-")]
    public void H78(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-79-")]
    public void H79(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-80-")]
    public void H80(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-81-")]
    public void H81(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-82-")]
    public void H82(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-83-")]
    public void H83(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-84-")]
    public void H84(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-85-")]
    public void H85(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-86-")]
    public void H86(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-87-")]
    public void H87(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-88-")]
    public void H88(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-89-")]
    public void H89(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-90-")]
    public void H90(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-91-")]
    public void H91(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-92-")]
    public void H92(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-93-")]
    public void H93(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-94-")]
    public void H94(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-95-")]
    public void H95(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-96-")]
    public void H96(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-97-")]
    public void H97(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-98-")]
    public void H98(ChannelSocket socket, string text) => Calls++;

    [OnMessage("^room-99-")]
    public void H99(ChannelSocket socket, string text) => Calls++;
}
