using Akka.Hosting;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Serialization;

namespace Mesh.Hosting.Serialization;

public static class MeshSerializationHostingExtensions
{
    /// <summary>
    /// Registers <see cref="MeshSerializer"/> for every <see cref="IMeshMessage"/>, so cluster traffic never
    /// falls back to Akka's default JSON serializer. Every member must call this.
    /// </summary>
    public static AkkaConfigurationBuilder WithMeshSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(
            serializerIdentifier: MeshSerializer.ConfigName,
            boundTypes: [typeof(IMeshMessage)],
            serializerFactory: system => new MeshSerializer(system));
}
