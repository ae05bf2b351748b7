package sfn

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Pagination of the lists the service assembles itself (Map Runs from a
// history, aliases in creation order): a nextToken is the position of the
// next item, bound to the list it belongs to (kind and key), so that a token
// of another list is InvalidToken.

// offsetToken is the nextToken of a kind of list of key, resuming at next.
func offsetToken(kind, key string, next int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + key + "\x00" + strconv.Itoa(next)))
}

// parseOffsetToken reads a token offsetToken made for the same list.
func parseOffsetToken(token, kind, key string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] != kind || parts[1] != key {
		return 0, false
	}
	n, err := strconv.Atoi(parts[2])
	return n, err == nil && n >= 0
}

// invalidToken is InvalidToken for a nextToken the list did not hand out.
func invalidToken() *Error {
	return apiError(ErrInvalidToken, "Invalid Token: 'The pagination token is invalid'")
}

// pageOf returns the items of a page of list, from the position a nextToken
// gives (none: the start), and the nextToken of the page after it.
func pageOf[T any](list []T, kind, key string, token *string, limit int) ([]T, *string, error) {
	from, to, next, err := pageRange(len(list), kind, key, token, limit)
	if err != nil {
		return nil, nil, err
	}
	return list[from:to], next, nil
}

// pageRange is pageOf for a list of n items that are not built yet: the
// page is items [from, to).
func pageRange(n int, kind, key string, token *string, limit int) (from, to int, next *string, err error) {
	if token != nil {
		f, ok := parseOffsetToken(*token, kind, key)
		if !ok || f > n {
			return 0, 0, nil, invalidToken()
		}
		from = f
	}
	if limit <= 0 {
		limit = 100
	}
	to = min(from+limit, n)
	if to < n {
		t := offsetToken(kind, key, to)
		next = &t
	}
	return from, to, next, nil
}
