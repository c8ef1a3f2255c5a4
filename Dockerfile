# Build a static binary; the image holds only it and CA certificates.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/suzhirong .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/suzhirong /suzhirong
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/suzhirong"]
