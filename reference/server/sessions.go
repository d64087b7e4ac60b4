package server

// The contract's session and login endpoints (docs/contract.md, Sessions
// and Login), served through reference/session's middleware.

func (s *Server) sessionRoutes() {}

// sessionManifest states the session settings the server really uses.
func (s *Server) sessionManifest() map[string]any {
	st := s.opts.SessionSettings
	var domain any
	if st.Domain != "" {
		domain = st.Domain
	}
	return map[string]any{
		"cookie_name":             st.CookieName,
		"cookie_age":              st.CookieAge,
		"expire_at_browser_close": st.ExpireAtBrowserClose,
		"save_every_request":      st.SaveEveryRequest,
		"cookie_secure":           st.Secure,
		"cookie_httponly":         st.HttpOnly,
		"cookie_samesite":         st.SameSite,
		"cookie_path":             st.Path,
		"cookie_domain":           domain,
		"backend":                 s.opts.SessionBackend,
	}
}
