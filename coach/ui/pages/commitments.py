from coach.ui import commitments_page

commitments_page.render()
