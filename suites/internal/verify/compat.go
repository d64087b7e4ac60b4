package verify

// Temporary, while call sites move to Expect (issue 15); removed before
// the issue closes.

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

func That(ok bool, format string, args ...any) {
	ginkgo.GinkgoHelper()
	gomega.Expect(ok).To(Hold(), append([]any{format}, args...)...)
}

func Status(r any, what string, codes ...int) {
	ginkgo.GinkgoHelper()
	gomega.Expect(r).To(HaveStatus(what, codes...))
}

func Rule(violation string) {
	ginkgo.GinkgoHelper()
	gomega.Expect(violation).To(Pass())
}
