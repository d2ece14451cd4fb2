using System.Net;
using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

public class MeshNameAnswererSpec
{
    private readonly MeshNameAnswerer _answerer = new(DictionaryNames.Demo(), "demo");

    private Task<IReadOnlyList<DnsRecord>?> Answer(string name, ushort type = DnsType.A) =>
        _answerer.AnswerAsync(new DnsQuestion(DnsName.Parse(name), type, DnsType.ClassIn), CancellationToken.None).AsTask();

    [Theory]
    [InlineData("echo")]
    [InlineData("echo.demo")]
    [InlineData("echo.demo.svc")]
    [InlineData("echo.demo.svc.cluster.local")]
    [InlineData("ECHO.Demo.svc.cluster.local.")]
    public async Task Short_and_full_forms_answer_the_vip_under_the_requested_name(string name)
    {
        var record = Assert.Single((await Answer(name))!);
        Assert.Equal(DnsType.A, record.Type);
        Assert.Equal(IPAddress.Parse("10.96.0.10"), record.Address);
        Assert.Equal(DnsName.Parse(name).ToString(), record.Name.ToString());
        Assert.Equal(30u, record.Ttl);
    }

    [Theory]
    [InlineData("echo.demo.demo.svc.cluster.local", "echo.demo.")]
    [InlineData("echo.demo.svc.demo.svc.cluster.local", "echo.demo.svc.")]
    [InlineData("echo.demo.svc.cluster.local.demo.svc.cluster.local", "echo.demo.svc.cluster.local.")]
    [InlineData("echo.demo.svc.svc.cluster.local", "echo.demo.svc.")]
    public async Task Search_list_expansions_resolve_through_a_cname_to_the_stripped_name(string name, string stripped)
    {
        var records = (await Answer(name))!;
        Assert.Equal(2, records.Count);
        Assert.Equal(DnsType.CName, records[0].Type);
        Assert.Equal(name + ".", records[0].Name.ToString());
        Assert.Equal(stripped, records[0].Target!.ToString());
        Assert.Equal(stripped, records[1].Name.ToString());
        Assert.Equal(IPAddress.Parse("10.96.0.10"), records[1].Address);
    }

    [Fact]
    public async Task Other_namespaces_need_the_namespace_in_the_name()
    {
        Assert.Null(await Answer("other"));
        Assert.NotNull(await Answer("other.prod"));
    }

    [Fact]
    public async Task The_other_family_is_known_but_empty_and_each_family_gets_its_own_addresses()
    {
        Assert.Empty((await Answer("echo", DnsType.Aaaa))!);
        Assert.Equal(IPAddress.Parse("fd00::11"), Assert.Single((await Answer("dual", DnsType.Aaaa))!).Address);
        Assert.Equal(IPAddress.Parse("10.96.0.11"), Assert.Single((await Answer("dual"))!).Address);
    }

    [Fact]
    public async Task Pod_hostnames_of_headless_services_resolve_in_their_short_forms()
    {
        Assert.NotNull(await Answer("web-0.web"));
        Assert.NotNull(await Answer("web-0.web.demo"));
        Assert.NotNull(await Answer("web-0.web.demo.svc"));
    }

    [Fact]
    public async Task Wildcard_hosts_match_without_a_cname()
    {
        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.Single((await Answer("api.example.com"))!).Address);
        var viaSearch = (await Answer("api.example.com.demo.svc.cluster.local"))!;
        Assert.Equal(DnsType.A, Assert.Single(viaSearch).Type);
    }

    [Theory]
    [InlineData("nope.demo.svc.cluster.local", DnsType.A)]
    [InlineData("www.outside.test", DnsType.A)]
    [InlineData("echo.demo.svc.cluster.local", 16)] // TXT: only A/AAAA are ours, as in ztunnel
    [InlineData(".", DnsType.A)]
    public async Task Everything_else_is_forwarded(string name, ushort type) => Assert.Null(await Answer(name, type));
}
