using System.Net;

namespace Mesh.Echo.Tests;

public sealed class EchoOptionsTests
{
    private static EchoOptions From(string[] args, params (string Name, string Value)[] env) =>
        EchoOptions.FromEnvironment(args, name => env.FirstOrDefault(e => e.Name == name).Value);

    [Fact]
    public void Defaults_to_8080_on_all_addresses_without_tcp()
    {
        var options = From([]);

        Assert.Equal(8080, options.HttpPort);
        Assert.Equal(IPAddress.Any, options.BindAddress);
        Assert.Null(options.TcpPort);
    }

    [Fact]
    public void Http_port_env_wins_over_the_port_argument() =>
        Assert.Equal(9000, From(["--port", "7000"], ("HTTP_PORT", "9000")).HttpPort);

    [Theory]
    [InlineData("--port", "7000")]
    [InlineData("--port=7000", null)]
    public void Port_argument_is_used_without_http_port_env(string first, string? second) =>
        Assert.Equal(7000, From(second is null ? [first] : [first, second]).HttpPort);

    [Fact]
    public void Reads_bind_address_tcp_port_and_pod_context()
    {
        var options = From([],
            ("BIND_ADDRESS", "10.244.1.7"), ("TCP_PORT", "9090"),
            ("POD_NAME", "echo-0"), ("NAMESPACE", "demo"), ("SERVICE_NAME", "echo"), ("INGRESS_NAME", "gw"));

        Assert.Equal(IPAddress.Parse("10.244.1.7"), options.BindAddress);
        Assert.Equal(9090, options.TcpPort);
        Assert.Equal(("echo-0", "demo", "echo", "gw"), (options.Pod, options.Namespace, options.Service, options.Ingress));
    }

    [Theory]
    [InlineData("HTTP_PORT", "http")]
    [InlineData("HTTP_PORT", "70000")]
    [InlineData("TCP_PORT", "-1")]
    [InlineData("BIND_ADDRESS", "not-an-ip")]
    public void Bad_values_fail_with_a_message_naming_the_variable(string name, string value)
    {
        var error = Assert.Throws<FormatException>(() => From([], (name, value)));
        Assert.Contains(name, error.Message);
    }
}
