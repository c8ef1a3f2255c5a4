package wechat

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // WeChat serves QR images as JPEG
	"image/png"
)

// ToPNG re-encodes an image (JPEG, GIF…) as PNG.
func ToPNG(b []byte) ([]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode qr image: %w", err)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("encode qr image: %w", err)
	}
	return out.Bytes(), nil
}
